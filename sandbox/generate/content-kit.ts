/**
 * Small deterministic helpers shared by the non-catalog generators. Every generator takes `rand`, a
 * seeded PRNG returning floats in [0, 1), so the same seed always yields the same store.
 */
export type Rand = () => number;

/** The catalog facts the non-catalog types reference (orders, price lists, wishlists, inventory...). */
export interface CatalogRefs {
  variants: VariantRef[];
  categoryIds: number[];
  brandIds: number[];
}

export interface VariantRef {
  id: number;
  product_id: number;
  sku: string;
  sku_id?: number | null;
  price: number;
  product_name: string;
  brand_name?: string;
  weight?: number;
  /** True when the product has option values (the variant is not the product's base variant). */
  has_options?: boolean;
}

export function int(rand: Rand, min: number, max: number): number {
  return min + Math.floor(rand() * (max - min + 1));
}

export function pick<T>(rand: Rand, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)] as T;
}

export function chance(rand: Rand, p: number): boolean {
  return rand() < p;
}

/** A deterministic RFC 4122-shaped v4 uuid drawn from `rand`. */
export function uuid(rand: Rand): string {
  let hex = "";
  for (let i = 0; i < 32; i++) hex += Math.floor(rand() * 16).toString(16);
  const variant = ((Number.parseInt(hex[16] ?? "0", 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function hexString(rand: Rand, length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += Math.floor(rand() * 16).toString(16);
  return out;
}

export function code(rand: Rand, length: number): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(rand() * alphabet.length)];
  return out;
}

/** ISO 8601 without milliseconds (`2018-08-15T14:49:05+00:00`), as BigCommerce v3 prints dates. */
export function iso(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}+00:00`;
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** RFC 2822 in UTC (`Tue, 20 Nov 2012 00:00:00 +0000`), as BigCommerce v2 prints dates. */
export function rfc2822(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${DAYS[d.getUTCDay()]}, ${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

/** Parses the date formats clients send to BigCommerce (ISO 8601, RFC 2822, unix seconds). */
export function parseDate(value: unknown): number | null {
  if (typeof value === "number") return value < 1e12 ? value * 1000 : value;
  if (typeof value !== "string" || value === "") return null;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/** Money as v2 prints it: a string with four decimals. */
export function money4(n: number): string {
  return (Math.round(n * 100) / 100).toFixed(4);
}

export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

export function slug(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

export const FIRST_NAMES = [
  "Olivia",
  "Liam",
  "Emma",
  "Noah",
  "Amélie",
  "José",
  "Zoë",
  "Mateo",
  "Aiko",
  "Søren",
  "Chloé",
  "Björn",
  "Priya",
  "Kwame",
  "Ines",
  "Łukasz",
  "Mei",
  "Diego",
  "Fatima",
  "Hannah",
  "Oscar",
  "Nadia",
  "Ravi",
  "Elena",
  "Jonas",
  "Sofia",
  "Yusuf",
  "Camille",
  "Ethan",
  "Leïla",
  "Marco",
  "Ana",
  "Tomás",
  "Freya",
  "Hiroshi",
  "Grace",
];
export const LAST_NAMES = [
  "Smith",
  "García",
  "Müller",
  "Dubois",
  "Rossi",
  "Nakamura",
  "O'Brien",
  "Kowalski",
  "Johansson",
  "Nguyen",
  "Patel",
  "Okafor",
  "Silva",
  "Andersen",
  "Martín",
  "Novák",
  "Lefèvre",
  "Kim",
  "Brown",
  "Schröder",
  "Costa",
  "Jensen",
  "Ivanova",
  "Tanaka",
  "Walker",
  "Fernández",
  "Chen",
  "Haddad",
  "Murphy",
  "Larsen",
];
export const COMPANIES = [
  "",
  "",
  "",
  "Acme Ltd",
  "Nordlicht GmbH",
  "Café Ñandú",
  "Blue Fern Co",
  "Studio Ōkami",
  "Maple & Co",
];

export interface Place {
  city: string;
  state: string;
  zip: string;
  country: string;
  country_iso2: string;
  phone: string;
}
export const PLACES: Place[] = [
  {
    city: "Austin",
    state: "Texas",
    zip: "78701",
    country: "United States",
    country_iso2: "US",
    phone: "+1 512 555 0134",
  },
  {
    city: "Portland",
    state: "Oregon",
    zip: "97205",
    country: "United States",
    country_iso2: "US",
    phone: "+1 503 555 0199",
  },
  {
    city: "Brooklyn",
    state: "New York",
    zip: "11201",
    country: "United States",
    country_iso2: "US",
    phone: "+1 718 555 0101",
  },
  {
    city: "Denver",
    state: "Colorado",
    zip: "80202",
    country: "United States",
    country_iso2: "US",
    phone: "+1 303 555 0112",
  },
  {
    city: "Toronto",
    state: "Ontario",
    zip: "M5V 2T6",
    country: "Canada",
    country_iso2: "CA",
    phone: "+1 416 555 0177",
  },
  {
    city: "Montréal",
    state: "Quebec",
    zip: "H2X 1Y4",
    country: "Canada",
    country_iso2: "CA",
    phone: "+1 514 555 0150",
  },
  {
    city: "London",
    state: "London",
    zip: "SW1A 1AA",
    country: "United Kingdom",
    country_iso2: "GB",
    phone: "+44 20 7946 0018",
  },
  {
    city: "München",
    state: "Bayern",
    zip: "80331",
    country: "Germany",
    country_iso2: "DE",
    phone: "+49 89 1234567",
  },
  {
    city: "Sydney",
    state: "New South Wales",
    zip: "2000",
    country: "Australia",
    country_iso2: "AU",
    phone: "+61 2 5550 1234",
  },
  {
    city: "Lyon",
    state: "Auvergne-Rhône-Alpes",
    zip: "69002",
    country: "France",
    country_iso2: "FR",
    phone: "+33 4 72 00 00 00",
  },
];
export const STREETS = [
  "Main St",
  "Oak Avenue",
  "Elm Street",
  "Rue de la Paix",
  "Königstraße",
  "High Street",
  "Maple Road",
  "Calle Mayor",
];

export const LOREM = [
  "Handmade in small batches from responsibly sourced materials.",
  "Our most popular pick for everyday use, now in new colours.",
  "Built to last, with a lifetime guarantee and free repairs.",
  "Crafted with care — ideal as a gift or a treat for yourself.",
  "Light, durable and designed for the outdoors.",
  "Naturally dyed; each piece is slightly different — c’est la vie.",
  "Pairs perfectly with the rest of the collection.",
];

export function sentence(rand: Rand, count: number): string {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(pick(rand, LOREM));
  return out.join(" ");
}

/** A store-wide id counter per collection, so ids are assigned in creation order like BigCommerce's. */
export function nextIdAfter(rows: readonly { id: number }[]): number {
  let max = 0;
  for (const row of rows) if (row.id > max) max = row.id;
  return max + 1;
}
