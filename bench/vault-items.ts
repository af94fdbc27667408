/**
 * Item Storage at 100,000 records of one type: how long the first page of the vault's item list
 * takes in D1 (workerd's SQLite, through Miniflare), and which index each query uses.
 *
 *   npx tsx bench/vault-items.ts [records]
 *
 * Goal (issue 5): first page ≤ 150 ms server time at 100,000 items.
 */
import { readdirSync, readFileSync } from "node:fs";
import { Miniflare } from "miniflare";
import { type DeletedFilter, type ItemSort, listItems } from "../worker/vault/item-queries";

const N = Number(process.argv[2] ?? 100_000);
const STORE = "benchstore";

const mf = new Miniflare({
  modules: true,
  script: "export default { fetch() { return new Response('ok') } }",
  d1Databases: ["DB"],
});
const db = (await mf.getD1Database("DB")) as unknown as D1Database;

for (const file of readdirSync("migrations")
  .filter((f) => f.endsWith(".sql"))
  .sort()) {
  for (const statement of readFileSync(`migrations/${file}`, "utf8").split("--> statement-breakpoint")) {
    if (statement.trim()) await db.prepare(statement).run();
  }
}

const words = [
  "trail",
  "shoe",
  "jacket",
  "rain",
  "boot",
  "sandal",
  "wool",
  "linen",
  "cap",
  "scarf",
  "glove",
  "sock",
];
const t0 = performance.now();
const rows: unknown[][] = [];
for (let i = 1; i <= N; i++) {
  const name = `${words[i % words.length]} ${words[(i * 7) % words.length]} ${i}`;
  const sku = `SKU-${String(i).padStart(6, "0")}`;
  const deleted = i % 50 === 0;
  rows.push([
    String(i),
    name,
    `${i} ${name} ${sku.toLowerCase()}`,
    deleted ? 1 : 0,
    deleted ? 1_700_000_000_000 + i : null,
    1_700_000_000_000 + ((i * 7919) % N) * 1000,
  ]);
}
for (let i = 0; i < rows.length; i += 500) {
  await db
    .prepare(
      `insert into records (store_hash, type, record_id, display_name, search_text, deleted, deleted_at, first_seen_at, last_changed_at, version_count, size)
       select ?1, 'products', j->>'$[0]', j->>'$[1]', j->>'$[2]', j->>'$[3]', j->>'$[4]', j->>'$[5]', j->>'$[5]', 1, 1000 from (select value as j from json_each(?2))`,
    )
    .bind(STORE, JSON.stringify(rows.slice(i, i + 500)))
    .run();
}
// A second store's records share the table, as in production.
await db
  .prepare(
    "insert into records (store_hash, type, record_id, display_name, search_text, first_seen_at, last_changed_at) select 'other', type, record_id, display_name, search_text, first_seen_at, last_changed_at from records where store_hash = ?",
  )
  .bind(STORE)
  .run();
await db.prepare("analyze").run();
console.log(`loaded ${N} records (x2 stores) in ${Math.round(performance.now() - t0)} ms`);

const cases: { label: string; q?: string; sort: ItemSort; deleted: DeletedFilter; page?: number }[] = [
  { label: "first page, newest first", sort: "changed_desc", deleted: "include" },
  { label: "first page, oldest first", sort: "changed_asc", deleted: "include" },
  { label: "first page, by name", sort: "name_asc", deleted: "include" },
  { label: "deleted only", sort: "changed_desc", deleted: "only" },
  { label: "without deleted", sort: "changed_desc", deleted: "exclude" },
  { label: "page 200", sort: "changed_desc", deleted: "include", page: 200 },
  { label: "search 'sku-0421'", q: "sku-0421", sort: "changed_desc", deleted: "include" },
  { label: "search 'wool'", q: "wool", sort: "changed_desc", deleted: "include" },
];

// Warm-up: the first queries pay for workerd and SQLite page cache start-up.
for (let i = 0; i < 3; i++)
  await listItems(db, STORE, "products", { page: 1, pageSize: 50, sort: "changed_desc", deleted: "include" });

/** The same database, adding up D1's own `meta.duration` (SQL time inside D1, without Miniflare's IPC). */
let sqlMs = 0;
const wrap = (st: D1PreparedStatement): D1PreparedStatement =>
  new Proxy(st, {
    get(s, p) {
      if (p === "bind") return (...args: unknown[]) => wrap(s.bind(...args));
      if (p === "all")
        return async () => {
          const r = await s.all();
          sqlMs += r.meta.duration;
          return r;
        };
      if (p === "first")
        return async () => {
          const r = await s.all();
          sqlMs += r.meta.duration;
          return r.results[0] ?? null;
        };
      const v = Reflect.get(s, p);
      return typeof v === "function" ? v.bind(s) : v;
    },
  });
const timed = {
  prepare: (sql: string) => wrap(db.prepare(sql)),
  batch: async (statements: D1PreparedStatement[]) => {
    const results = await db.batch(statements);
    for (const r of results) sqlMs += r.meta.duration;
    return results;
  },
} as unknown as D1Database;

for (const c of cases) {
  const times: number[] = [];
  const sql: number[] = [];
  let total = 0;
  for (let i = 0; i < 7; i++) {
    sqlMs = 0;
    const start = performance.now();
    const r = await listItems(timed, STORE, "products", {
      q: c.q,
      page: c.page ?? 1,
      pageSize: 50,
      sort: c.sort,
      deleted: c.deleted,
    });
    times.push(performance.now() - start);
    sql.push(sqlMs);
    total = r.total;
  }
  times.sort((a, b) => a - b);
  sql.sort((a, b) => a - b);
  console.log(
    `${c.label.padEnd(28)} D1 median ${sql[3].toFixed(1).padStart(6)} ms, max ${sql[6].toFixed(1).padStart(6)} ms | round trip median ${times[3].toFixed(1).padStart(6)} ms (total ${total})`,
  );
}

const plan = async (sql: string) =>
  (await db.prepare(`explain query plan ${sql}`).bind(STORE, "products").all<{ detail: string }>()).results
    .map((r) => r.detail)
    .join(" | ");
console.log(
  "plan newest first:",
  await plan(
    "select record_id from records where store_hash = ?1 and type = ?2 order by last_changed_at desc, record_id desc limit 50",
  ),
);
console.log(
  "plan by name:     ",
  await plan(
    "select record_id from records where store_hash = ?1 and type = ?2 order by display_name asc, record_id asc limit 50",
  ),
);
console.log(
  "plan deleted only:",
  await plan(
    "select record_id from records where store_hash = ?1 and type = ?2 and deleted = 1 order by last_changed_at desc, record_id desc limit 50",
  ),
);
console.log(
  "plan count:       ",
  await plan("select count(*) from records where store_hash = ?1 and type = ?2"),
);
console.log(
  "plan search:      ",
  await plan(
    "select record_id from records where store_hash = ?1 and type = ?2 and rowid in (select rowid from records indexed by records_store_type_search where store_hash = ?1 and type = ?2 and search_text like '%wool%') order by last_changed_at desc, record_id desc limit 50",
  ),
);
await mf.dispose();
