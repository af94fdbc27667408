/**
 * Inventory locations and per-location stock levels (inventory.v3.yml, locations.v3.yml). Stock is stored
 * per (location, variant); the items endpoints group it per variant or per location at read time.
 */
import { type CatalogRefs, int, iso, type Rand } from "./content-kit.ts";

export interface OperatingDay {
  open: boolean;
  opening: string;
  closing: string;
}

export interface Location {
  id: number;
  code: string;
  label: string;
  description: string;
  managed_by_external_source: boolean;
  type_id: "PHYSICAL" | "VIRTUAL";
  enabled: boolean;
  operating_hours: Record<
    "sunday" | "monday" | "tuesday" | "wednesday" | "thursday" | "friday" | "saturday",
    OperatingDay
  >;
  time_zone: string;
  created_at: string;
  updated_at: string;
  address: {
    address1: string;
    address2: string;
    city: string;
    state: string;
    zip: string;
    email: string;
    phone: string;
    geo_coordinates: { latitude: number; longitude: number };
    country_code: string;
  };
  storefront_visibility: boolean;
  special_hours: {
    label: string;
    date: string;
    open: boolean;
    opening: string;
    closing: string;
    all_day: boolean;
    annual: boolean;
  }[];
}

export interface StockLevel {
  location_id: number;
  variant_id: number;
  product_id: number;
  sku: string;
  sku_id: number | null;
  total_inventory_onhand: number;
  safety_stock: number;
  warning_level: number;
  bin_picking_number: string;
}

export function operatingHours(open: boolean): Location["operating_hours"] {
  const day = (isOpen: boolean): OperatingDay => ({ open: isOpen, opening: "09:00", closing: "17:00" });
  return {
    sunday: day(false),
    monday: day(open),
    tuesday: day(open),
    wednesday: day(open),
    thursday: day(open),
    friday: day(open),
    saturday: day(false),
  };
}

const SEED_LOCATIONS = [
  {
    code: "BC-LOCATION-1",
    label: "Default location",
    city: "Austin",
    state: "TX",
    zip: "78701",
    country: "US",
    lat: 30.27,
    lon: -97.74,
  },
  {
    code: "WH-EAST",
    label: "East warehouse",
    city: "Newark",
    state: "NJ",
    zip: "07102",
    country: "US",
    lat: 40.73,
    lon: -74.17,
  },
  {
    code: "STORE-MTL",
    label: "Boutique Montréal",
    city: "Montréal",
    state: "QC",
    zip: "H2X 1Y4",
    country: "CA",
    lat: 45.5,
    lon: -73.57,
  },
];

export function generateLocations(now: number, count: number): Location[] {
  const out: Location[] = [];
  for (let i = 0; i < count; i++) {
    const seed = SEED_LOCATIONS[i % SEED_LOCATIONS.length] as (typeof SEED_LOCATIONS)[number];
    const suffix = i < SEED_LOCATIONS.length ? "" : `-${i + 1}`;
    out.push({
      id: i + 1,
      code: seed.code + suffix,
      label: seed.label + suffix,
      description: "",
      managed_by_external_source: false,
      type_id: i === 1 ? "VIRTUAL" : "PHYSICAL",
      enabled: true,
      operating_hours: operatingHours(true),
      time_zone: "America/Chicago",
      created_at: iso(now - 700 * 86_400_000),
      updated_at: iso(now - 700 * 86_400_000),
      address: {
        address1: `${100 + i} Commerce Way`,
        address2: "",
        city: seed.city,
        state: seed.state,
        zip: seed.zip,
        email: `warehouse${i + 1}@example.com`,
        phone: "+1 512 555 0100",
        geo_coordinates: { latitude: seed.lat, longitude: seed.lon },
        country_code: seed.country,
      },
      storefront_visibility: i !== 1,
      special_hours: [],
    });
  }
  return out;
}

/** Every variant has stock at the first location; other locations stock about a third of them. */
export function generateStock(rand: Rand, catalog: CatalogRefs, locations: Location[]): StockLevel[] {
  const out: StockLevel[] = [];
  for (const location of locations) {
    for (const variant of catalog.variants) {
      if (location.id !== 1 && rand() > 0.33) continue;
      out.push({
        location_id: location.id,
        variant_id: variant.id,
        product_id: variant.product_id,
        sku: variant.sku,
        sku_id: variant.sku_id ?? null,
        total_inventory_onhand: int(rand, 0, 120),
        safety_stock: 0,
        warning_level: rand() < 0.2 ? 5 : 0,
        bin_picking_number: "",
      });
    }
  }
  return out;
}
