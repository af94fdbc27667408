/**
 * Customers and everything hanging off them: addresses, customer attributes and their values, form field
 * values, customer groups (v2), newsletter subscribers and wishlists. Shapes follow customers.v3.yml,
 * customers.v2.yml, subscribers.v3.yml and wishlists.v3.yml response schemas.
 */
import {
  type CatalogRefs,
  COMPANIES,
  chance,
  FIRST_NAMES,
  hexString,
  int,
  iso,
  LAST_NAMES,
  PLACES,
  pick,
  type Rand,
  rfc2822,
  STREETS,
  uuid,
} from "./content-kit.ts";

export interface Customer {
  id: number;
  email: string;
  first_name: string;
  last_name: string;
  company: string;
  phone: string;
  registration_ip_address: string;
  notes: string;
  tax_exempt_category: string;
  customer_group_id: number;
  date_modified: string;
  date_created: string;
  address_count: number;
  attribute_count: number;
  authentication: { force_password_reset: boolean };
  store_credit_amounts: { amount: number }[];
  accepts_product_review_abandoned_cart_emails: boolean;
  origin_channel_id: number;
  channel_ids: number[];
}

export interface CustomerAddress {
  id: number;
  customer_id: number;
  first_name: string;
  last_name: string;
  company: string;
  address1: string;
  address2: string;
  city: string;
  state_or_province: string;
  postal_code: string;
  country: string;
  country_code: string;
  phone: string;
  address_type: "residential" | "commercial";
}

export interface CustomerAttribute {
  id: number;
  name: string;
  type: "string" | "number" | "date";
  date_created: string;
  date_modified: string;
}

export interface CustomerAttributeValue {
  id: number;
  attribute_id: number;
  attribute_value: string;
  customer_id: number;
  date_created: string;
  date_modified: string;
}

export interface FormFieldValue {
  name: string;
  value: string | number | string[];
  customer_id?: number;
  address_id?: number;
}

export interface CustomerGroup {
  id: number;
  name: string;
  is_default: boolean;
  category_access: { type: "all" | "specific" | "none"; categories?: number[] };
  discount_rules: {
    type: string;
    method: string;
    amount: string;
    price_list_id?: number;
    category_id?: number;
    product_id?: number;
  }[];
  date_created: string;
  date_modified: string;
  is_group_for_guests: boolean;
}

export interface Subscriber {
  id: number;
  email: string;
  first_name: string;
  last_name: string;
  source: string;
  order_id: number | null;
  channel_id: number;
  consents: string[];
  date_modified: string;
  date_created: string;
}

export interface Wishlist {
  id: number;
  customer_id: number;
  name: string;
  is_public: boolean;
  token: string;
  items: { id: number; product_id: number; variant_id: number }[];
}

export interface CustomerData {
  customer_groups: CustomerGroup[];
  customer_attributes: CustomerAttribute[];
  customers: Customer[];
  customer_addresses: CustomerAddress[];
  customer_attribute_values: CustomerAttributeValue[];
  customer_form_field_values: FormFieldValue[];
  subscribers: Subscriber[];
  wishlists: Wishlist[];
}

export interface CustomerSizes {
  customers: number;
  subscribers: number;
  wishlists: number;
}

const ATTRIBUTES: [string, CustomerAttribute["type"]][] = [
  ["Shoe size", "number"],
  ["Favourite colour", "string"],
  ["Birthday", "date"],
  ["Loyalty tier", "string"],
];
const COLOURS = ["Blue", "Grün", "Rouge", "Black", "Ochre"];
const TIERS = ["Bronze", "Silver", "Gold"];

export function generateCustomerGroups(rand: Rand, now: number, priceListId: number | null): CustomerGroup[] {
  const created = rfc2822(now - 700 * 86_400_000);
  const groups: CustomerGroup[] = [
    {
      id: 1,
      name: "Retail",
      is_default: true,
      category_access: { type: "all" },
      discount_rules: [],
      date_created: created,
      date_modified: created,
      is_group_for_guests: false,
    },
    {
      id: 2,
      name: "Wholesale",
      is_default: false,
      category_access: { type: "all" },
      discount_rules: priceListId
        ? [{ type: "price_list", method: "price", amount: "0.0000", price_list_id: priceListId }]
        : [{ type: "all", method: "percent", amount: "10.0000" }],
      date_created: created,
      date_modified: created,
      is_group_for_guests: false,
    },
    {
      id: 3,
      name: "VIP — Ærø club",
      is_default: false,
      category_access: { type: "all" },
      discount_rules: [{ type: "all", method: "percent", amount: String(int(rand, 5, 15)) }],
      date_created: created,
      date_modified: created,
      is_group_for_guests: false,
    },
  ];
  return groups;
}

/** Customers are spread over the two years before `now`, ids ascending with date_created. */
export function generateCustomers(
  rand: Rand,
  now: number,
  sizes: CustomerSizes,
  catalog: CatalogRefs,
  groups: CustomerGroup[],
): CustomerData {
  const start = now - 730 * 86_400_000;
  const attributes: CustomerAttribute[] = ATTRIBUTES.map(([name, type], i) => ({
    id: i + 1,
    name,
    type,
    date_created: iso(start),
    date_modified: iso(start),
  }));
  const customers: Customer[] = [];
  const addresses: CustomerAddress[] = [];
  const values: CustomerAttributeValue[] = [];
  const formFields: FormFieldValue[] = [];
  let addressId = 0;
  let valueId = 0;
  const step = (now - start) / Math.max(1, sizes.customers);
  for (let i = 0; i < sizes.customers; i++) {
    const id = i + 1;
    const first = pick(rand, FIRST_NAMES);
    const last = pick(rand, LAST_NAMES);
    const created = Math.floor(start + i * step + rand() * step);
    const modified = chance(rand, 0.3) ? created + Math.floor(rand() * (now - created)) : created;
    const place = pick(rand, PLACES);
    const nAddresses = rand() < 0.15 ? 0 : rand() < 0.8 ? 1 : 2;
    for (let a = 0; a < nAddresses; a++) {
      const p = a === 0 ? place : pick(rand, PLACES);
      addresses.push({
        id: ++addressId,
        customer_id: id,
        first_name: first,
        last_name: last,
        company: a === 1 ? pick(rand, COMPANIES) : "",
        address1: `${int(rand, 1, 999)} ${pick(rand, STREETS)}`,
        address2: chance(rand, 0.2) ? `Apt ${int(rand, 1, 40)}` : "",
        city: p.city,
        state_or_province: p.state,
        postal_code: p.zip,
        country: p.country,
        country_code: p.country_iso2,
        phone: p.phone,
        address_type: a === 1 ? "commercial" : "residential",
      });
    }
    let attributeCount = 0;
    if (chance(rand, 0.4)) {
      for (const attribute of attributes) {
        if (!chance(rand, 0.5)) continue;
        attributeCount++;
        values.push({
          id: ++valueId,
          attribute_id: attribute.id,
          attribute_value: attributeValue(rand, attribute, created),
          customer_id: id,
          date_created: iso(created),
          date_modified: iso(created),
        });
      }
    }
    if (chance(rand, 0.1))
      formFields.push({
        name: "How did you hear about us?",
        value: pick(rand, ["Friend", "Search", "Instagram"]),
        customer_id: id,
      });
    customers.push({
      id,
      email: asciiEmail(`${first}.${last}.${id}@example.com`),
      first_name: first,
      last_name: last,
      company: pick(rand, COMPANIES),
      phone: place.phone,
      registration_ip_address: `203.0.${int(rand, 0, 255)}.${int(rand, 1, 254)}`,
      notes: chance(rand, 0.05) ? "Prefers delivery after 5pm." : "",
      tax_exempt_category: "",
      customer_group_id: groups.length && chance(rand, 0.2) ? pick(rand, groups).id : 0,
      date_modified: iso(modified),
      date_created: iso(created),
      address_count: nAddresses,
      attribute_count: attributeCount,
      authentication: { force_password_reset: false },
      store_credit_amounts: [{ amount: chance(rand, 0.05) ? int(rand, 5, 50) : 0 }],
      accepts_product_review_abandoned_cart_emails: chance(rand, 0.6),
      origin_channel_id: 1,
      channel_ids: [1],
    });
  }
  const subscribers = generateSubscribers(rand, now, sizes.subscribers, customers);
  const wishlists = generateWishlists(rand, sizes.wishlists, customers, catalog);
  return {
    customer_groups: groups,
    customer_attributes: attributes,
    customers,
    customer_addresses: addresses,
    customer_attribute_values: values,
    customer_form_field_values: formFields,
    subscribers,
    wishlists,
  };
}

const FOLD: Record<string, string> = { ł: "l", ø: "o", æ: "ae", ß: "ss", đ: "d" };

function asciiEmail(text: string): string {
  return text
    .toLowerCase()
    .replace(/[łøæßđ]/g, (ch) => FOLD[ch] ?? "")
    .normalize("NFKD")
    .replace(/[^a-z0-9.@+-]/g, "");
}

function attributeValue(rand: Rand, attribute: CustomerAttribute, created: number): string {
  if (attribute.type === "number") return String(int(rand, 35, 46));
  if (attribute.type === "date") return iso(created - int(rand, 18, 70) * 365 * 86_400_000);
  return attribute.name === "Loyalty tier" ? pick(rand, TIERS) : pick(rand, COLOURS);
}

function generateSubscribers(rand: Rand, now: number, count: number, customers: Customer[]): Subscriber[] {
  const out: Subscriber[] = [];
  const start = now - 730 * 86_400_000;
  // BigCommerce keeps one subscriber per email and channel: a customer subscribes once.
  const subscribed = new Set<Customer>();
  for (let i = 0; i < count; i++) {
    let customer = customers.length && chance(rand, 0.6) ? pick(rand, customers) : null;
    if (customer && subscribed.has(customer)) customer = null;
    if (customer) subscribed.add(customer);
    const created = Math.floor(start + ((now - start) * i) / Math.max(1, count));
    out.push({
      id: i + 1,
      email: customer ? customer.email : `newsletter.${i + 1}@example.org`,
      first_name: customer ? customer.first_name : pick(rand, FIRST_NAMES),
      last_name: customer ? customer.last_name : pick(rand, LAST_NAMES),
      source: customer ? "storefront" : pick(rand, ["storefront", "order", "custom"]),
      order_id: null,
      channel_id: 1,
      consents: ["marketing_newsletter"],
      date_modified: iso(created),
      date_created: iso(created),
    });
  }
  return out;
}

function generateWishlists(
  rand: Rand,
  count: number,
  customers: Customer[],
  catalog: CatalogRefs,
): Wishlist[] {
  const out: Wishlist[] = [];
  if (!customers.length || !catalog.variants.length) return out;
  let itemId = 0;
  for (let i = 0; i < count; i++) {
    const items: Wishlist["items"] = [];
    const n = int(rand, 1, 5);
    for (let k = 0; k < n; k++) {
      const variant = pick(rand, catalog.variants);
      items.push({ id: ++itemId, product_id: variant.product_id, variant_id: variant.id });
    }
    out.push({
      id: i + 1,
      customer_id: pick(rand, customers).id,
      name: pick(rand, ["My wish list", "Birthday ideas", "Noël 🎄", "Later"]),
      is_public: chance(rand, 0.3),
      token: uuid(rand),
      items,
    });
  }
  return out;
}

export function randomIp(rand: Rand): string {
  return `198.51.100.${int(rand, 1, 254)}`;
}

export function randomToken(rand: Rand): string {
  return hexString(rand, 40);
}
