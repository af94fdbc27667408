import { describe, expect, it } from "vitest";
import { sandboxStore } from "./support/sandbox-client.ts";

/**
 * Order and customer pages are served from renderings kept per record (engine/record-bytes.ts). Every
 * change must show on the next read, byte for byte what a fresh rendering gives. `exclude_fields` with
 * a field no record has renders every record afresh: the same body, unless a kept rendering is stale.
 * The clock is frozen, so changes land in the same millisecond as the reads before them.
 */
const ORDERS =
  "/v2/orders?include=consignments.line_items,fees&consignment_structure=object&sort=id:asc&limit=250";
const CUSTOMERS = "/v3/customers?include=addresses,storecredit,attributes,formfields,segment_ids&limit=250";
const FRESH = "&exclude_fields=not_a_field";

/** The records of a body: v3 pagination links repeat the query string, so `meta` is left out. */
const records = (text: string) => text.slice(0, text.lastIndexOf('],"meta":') + 1 || text.length);

/** Where two bodies first differ, with some context; null when they are identical. */
function difference(a: string, b: string): string | null {
  if (a === b) return null;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `at ${i}: served …${a.slice(Math.max(0, i - 80), i + 80)}… fresh …${b.slice(Math.max(0, i - 80), i + 80)}…`;
}

async function store(profile: "demo" | "empty" = "demo") {
  const s = await sandboxStore(profile, { now: () => Date.UTC(2026, 10, 22, 5, 0, 0) });
  /** The listing as served (kept renderings) after checking it equals a fresh rendering, byte for byte. */
  const listed = async (path: string) => {
    const served = await s.api("GET", path);
    const fresh = await s.api("GET", `${path}${FRESH}`);
    expect(served.status).toBe(200);
    expect(difference(records(served.text), records(fresh.text))).toBeNull();
    return Array.isArray(served.body) ? served.body : served.body.data;
  };
  return { ...s, listed };
}

describe("sandbox list pages after changes (kept renderings)", () => {
  it("an order page shows every change of an order, its shipping address and its line items at once", async () => {
    const { api, admin, listed, sandbox, hash } = await store();
    const before = await listed(ORDERS);
    const order = before[3];
    const line = order.consignments.shipping[0].line_items[0];

    expect((await api("PUT", `/v2/orders/${order.id}`, { staff_notes: "Call before delivery" })).status).toBe(
      200,
    );
    expect((await listed(ORDERS))[3].staff_notes).toBe("Call before delivery");

    const address = order.consignments.shipping[0];
    const moved = await api("PUT", `/v2/orders/${order.id}/shipping_addresses/${address.id}`, {
      city: "Porto",
    });
    expect(moved.status).toBe(200);
    expect((await listed(ORDERS))[3].consignments.shipping[0].city).toBe("Porto");

    // A line item changed in the store itself (no API writes line items after an order is placed).
    const lines = sandbox.state.stores.get(hash)?.table("order_products");
    const stored = lines?.get(line.id);
    lines?.replace({ ...stored, quantity: stored?.quantity + 4 });
    expect((await listed(ORDERS))[3].consignments.shipping[0].line_items[0].quantity).toBe(line.quantity + 4);

    const churn = await admin("POST", `/stores/${hash}/mutate`, {
      kind: "churn",
      type: "orders",
      share: 0.5,
    });
    expect(churn.body.changed.orders.updated.length).toBeGreaterThan(5);
    const after = await listed(ORDERS);
    for (const id of churn.body.changed.orders.updated) {
      const one = await api(
        "GET",
        `/v2/orders/${id}?include=consignments.line_items,fees&consignment_structure=object`,
      );
      expect(after.find((o: { id: number }) => o.id === id)).toEqual(one.body);
    }

    expect((await api("DELETE", `/v2/orders/${order.id}`)).status).toBe(204);
    expect((await listed(ORDERS)).map((o: { id: number }) => o.id)).not.toContain(order.id);
    const archived = (await listed(`${ORDERS}&is_deleted=true`)).find(
      (o: { id: number }) => o.id === order.id,
    );
    expect(archived.is_deleted).toBe(true);
    expect(archived.consignments.shipping[0].city).toBe("Porto");

    await admin("POST", `/stores/${hash}/mutate`, { kind: "delete", type: "orders", share: 0.2 });
    expect((await listed(ORDERS)).length).toBeLessThan(before.length - 1);
    // Another rendering of the same orders (no line items) is not served from the first one's.
    const shallow = await listed("/v2/orders?include=consignments&limit=250");
    expect(shallow[0].consignments[0].shipping[0].line_items[0]).toHaveProperty("resource");
  });

  it("a customer page shows every change of a customer, its addresses, attributes and form fields at once", async () => {
    const { api, admin, listed, hash } = await store();
    const before = await listed(CUSTOMERS);
    const customer = before[2];

    expect((await api("PUT", "/v3/customers", [{ id: customer.id, phone: "+351 21 000 0000" }])).status).toBe(
      200,
    );
    expect((await listed(CUSTOMERS))[2].phone).toBe("+351 21 000 0000");

    const added = await api("POST", "/v3/customers/addresses", [
      {
        customer_id: customer.id,
        first_name: "Ana",
        last_name: "Costa",
        address1: "1 Rua Augusta",
        city: "Lisboa",
        state_or_province: "Lisboa",
        postal_code: "1100-053",
        country_code: "PT",
      },
    ]);
    expect(added.status).toBe(200);
    const addressId = added.body.data[0].id;
    let now = (await listed(CUSTOMERS))[2];
    expect(now.address_count).toBe(customer.address_count + 1);
    expect(now.addresses.map((a: { id: number }) => a.id)).toContain(addressId);

    const form = await api("PUT", "/v3/customers/form-field-values", [
      { name: "Gate code", value: "4321", address_id: addressId },
    ]);
    expect(form.status).toBe(200);
    now = (await listed(CUSTOMERS))[2];
    const withForm = now.addresses.find((a: { id: number }) => a.id === addressId);
    expect(withForm.form_fields).toEqual([{ name: "Gate code", value: "4321", address_id: addressId }]);

    const attribute = (await api("GET", "/v3/customers/attributes")).body.data[0];
    const value = attribute.type === "number" ? "42" : attribute.type === "date" ? "2026-01-02" : "Gold";
    expect(
      (
        await api("PUT", "/v3/customers/attribute-values", [
          { customer_id: customer.id, attribute_id: attribute.id, value },
        ])
      ).status,
    ).toBe(200);
    now = (await listed(CUSTOMERS))[2];
    expect(
      now.attributes.find((a: { attribute_id: number }) => a.attribute_id === attribute.id).attribute_value,
    ).toBe(value);

    expect((await api("DELETE", `/v3/customers/addresses?id:in=${addressId}`)).status).toBe(204);
    now = (await listed(CUSTOMERS))[2];
    expect(now.address_count).toBe(customer.address_count);

    const churn = await admin("POST", `/stores/${hash}/mutate`, {
      kind: "churn",
      type: "customers",
      share: 0.5,
    });
    expect(churn.body.changed.customers.updated.length).toBeGreaterThan(5);
    await listed(CUSTOMERS);
    await listed("/v3/customers?include=addresses&limit=250");
  });

  it("a new store's customer pages show form field values given after the first read", async () => {
    const { api, listed } = await store("empty");
    const created = await api("POST", "/v3/customers", [
      { email: "rui@example.org", first_name: "Rui", last_name: "Sousa" },
    ]);
    expect(created.status).toBe(200);
    const id = created.body.data[0].id;
    expect((await listed(CUSTOMERS))[0].formfields).toEqual([]);
    await api("PUT", "/v3/customers/form-field-values", [
      { name: "Newsletter", value: "yes", customer_id: id },
      { name: "Shoe size", value: "43", customer_id: id },
    ]);
    expect((await listed(CUSTOMERS))[0].formfields).toEqual([
      { name: "Newsletter", value: "yes", customer_id: id },
      { name: "Shoe size", value: "43", customer_id: id },
    ]);
  });
});
