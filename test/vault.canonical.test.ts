import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../worker/backup/canonical";
import { BigCommerceClient } from "../worker/bigcommerce/client";
import { getType, typeKeys } from "../worker/bigcommerce/registry";
import { reference } from "./support/canonical-reference";
import { installTestStore } from "./support/stores";

// The canonical form is the input of every content hash in the vault: see support/canonical-reference.ts.
const same = (value: unknown) => expect(canonicalJson(value)).toBe(reference(value));

describe("canonical JSON (the bytes every content hash is taken of)", () => {
  it("sorts keys the same way as before for integer-like, unicode and odd keys", () => {
    expect(canonicalJson({ "10": 1, "9": 2, b: 3, a: 4, "01": 5 })).toBe('{"9":2,"10":1,"01":5,"a":4,"b":3}');
    const cases: unknown[] = [
      { "10": "a", "9": "b", "4294967295": 1, "4294967294": 2, "-1": 3, "1.5": 4 },
      { é: 1, e: 2, E: 3, "😀": 4, "\uffff": 5, ﬀ: 6, "": 7, " ": 8 },
      JSON.parse('{"__proto__":{"x":1},"a":1}'),
      JSON.parse('{"__proto__":5,"constructor":1,"length":2,"toString":3}'),
      { a: undefined, b: null, c: [undefined, null, () => 1], d: () => 1, e: Symbol("s") },
      [[[]], [{}], [[{ z: 1, a: [{ y: 2, b: 3 }] }]]],
      { n: [-0, 0, 1e21, 1e-7, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53 + 1, 0.1 + 0.2] },
      { s: '\u2028\u2029\ud800 lone surrogate \udc00, "quoted" \\ tab\t nul\u0000', emoji: "👩‍👩‍👧" },
      { d: new Date(0), m: new Map([[1, 2]]), set: new Set([1]), u8: new Uint8Array([3, 1, 2]) },
      // biome-ignore lint/suspicious/noSparseArray: sparse arrays serialize their holes as null.
      [1, , 3],
      "plain",
      42,
      null,
      true,
      {},
      [],
    ];
    for (const c of cases) same(c);
    expect(canonicalJson(undefined)).toBe(reference(undefined));
  });

  it("gives the same bytes for one key list seen in every order and for lists alike but for middle keys", () => {
    const keys = Array.from({ length: 40 }, (_, i) => `k${(i * 7) % 40}`);
    for (let round = 0; round < 3; round++) {
      for (let shift = 0; shift < keys.length; shift++) {
        const order = [...keys.slice(shift), ...keys.slice(0, shift)];
        const record = Object.fromEntries(order.map((k, i) => [k, i % 3 ? k : { [k]: i, a: [k] }]));
        same(record);
      }
    }
    // Same length and end keys, different keys between them.
    same({ a: 1, m: 2, z: 3 });
    same({ a: 1, b: 2, z: 3 });
    same({ a: 1, y: 2, z: 3 });
    // More distinct key lists than the order cache keeps: it starts over and stays exact.
    for (let i = 0; i < 12_000; i++) same({ [`x${i}`]: i, [`w${i % 7}`]: [i], a: { [`k${i}`]: 1, b: 2 } });
  });

  it("gives the same bytes when one key list repeats, nests, throws, or calls back in", () => {
    // Outputs are kept per key list from one call to the next: nothing of one record may show in the next.
    same({ a: 1, b: { x: 1, y: 2 }, c: "c" });
    same({ a: undefined, b: { x: undefined, y: 2 }, c: () => 1 });
    same({ a: [1, 2], b: null, c: { x: [{ x: 1, y: undefined }], y: 0 } });
    // The same list inside itself, many times in one record (more than are kept), shared objects.
    const nested = { b: { b: { b: { b: 1, a: 2 }, a: [{ b: 3, a: 4 }] }, a: 5 }, a: 6 };
    same(nested);
    same({ b: nested, a: [nested, nested.b, nested] });
    same(Array.from({ length: 300 }, (_, i) => ({ z: i, y: { z: i, y: [i] } })));
    // Many key lists with the same first key (more than are kept for one key) in one record.
    same(
      Array.from({ length: 200 }, (_, i) => ({ id: i, [`f${i % 50}`]: i, [`g${i % 3}`]: { id: i, v: i } })),
    );
    // A BigInt throws, as before; the next call is unharmed.
    expect(() => canonicalJson({ b: { b: 1, a: 2n }, a: 1 })).toThrow(TypeError);
    same({ b: { b: 1, a: 2 }, a: 1 });
    // A getter that calls back in while the outer call has outputs of the same key lists in use.
    let inner = "";
    const calling = {
      x: { b: 1, a: 2 },
      y: {
        b: 1,
        get a() {
          inner = canonicalJson({ b: { b: 2, a: 1 }, a: 3 });
          return { b: 7, a: 8 };
        },
      },
      z: { b: 5, a: 6 },
    };
    same(calling);
    expect(inner).toBe(reference({ b: { b: 2, a: 1 }, a: 3 }));
    // A getter that deletes a later key: read key by key, as before.
    const deleting: Record<string, unknown> = {
      c: 3,
      get b() {
        delete deleting.a;
        return 2;
      },
      a: 1,
    };
    expect(canonicalJson(deleting)).toBe('{"b":2,"c":3}');
    // toJSON: on a value (called, as before), on an array (the old copy had none), on a prototype.
    const arrayWithToJson = Object.assign([1, "2", [3]], { toJSON: () => "own" });
    class Items extends Array {
      toJSON() {
        return "inherited";
      }
    }
    const items = Items.from([{ b: 1, a: 2 }]);
    class Money {
      amount = 1;
      currency = "EUR";
      toJSON() {
        return "1 EUR";
      }
    }
    const bare = Object.assign(Object.create(null), { b: 1, a: { d: 1, c: 2 } });
    for (const c of [
      { b: { toJSON: () => ({ y: 1, x: 2 }) }, a: 1 },
      arrayWithToJson,
      items,
      new Money(),
      bare,
    ])
      same(c);
    // "__proto__" as an own key (JSON.parse makes one) at several levels, with children in every order.
    same(
      JSON.parse('{"z":{"__proto__":{"b":1,"a":2},"y":[{"__proto__":null,"b":1,"a":1}]},"__proto__":[1]}'),
    );
  });

  it("gives the same bytes as before for every record of every type of the demo store", async () => {
    const { storeHash, token } = await installTestStore("demo", { seed: 7 });
    const client = new BigCommerceClient({ baseUrl: env.BC_API_URL, storeHash, token });
    let records = 0;
    for (const key of typeKeys) {
      const type = getType(key);
      if (type.parent) continue;
      for await (const page of client.pages(type)) {
        await client.fetchChildren(type, page.records);
        // Twice: the second pass takes every key order from the cache.
        for (let pass = 0; pass < 2; pass++) for (const r of page.records) same(r);
        records += page.records.length;
      }
    }
    expect(records).toBeGreaterThan(400);
  });
});
