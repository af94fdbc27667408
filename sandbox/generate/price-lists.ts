/** Price lists, their records (per variant and currency) and assignments (price_lists.v3.yml). */
import { type CatalogRefs, chance, iso, type Rand, round2 } from "./content-kit.ts";

export interface PriceList {
  id: number;
  name: string;
  active: boolean;
  date_created: string;
  date_modified: string;
}

export interface BulkPricingTier {
  quantity_min: number;
  quantity_max: number | null;
  type: "fixed" | "price" | "percent";
  amount: number;
}

/** Stored record; `sku` and `bulk_pricing_tiers` are only shown with the matching `include`. */
export interface PriceRecord {
  price_list_id: number;
  variant_id: number;
  product_id: number;
  sku: string;
  currency: string;
  price: number;
  sale_price: number | null;
  retail_price: number | null;
  map_price: number | null;
  calculated_price: number;
  bulk_pricing_tiers: BulkPricingTier[];
  date_created: string;
  date_modified: string;
}

export interface PriceListAssignment {
  id: number;
  price_list_id: number;
  customer_group_id: number;
  channel_id: number;
}

const LIST_NAMES = ["Wholesale", "VIP pricing", "Trade (CAD)", "Staff", "Outlet"];

export function generatePriceLists(
  rand: Rand,
  now: number,
  lists: number,
  recordsPerList: number,
  catalog: CatalogRefs,
): { price_lists: PriceList[]; price_list_records: PriceRecord[] } {
  const priceLists: PriceList[] = [];
  const records: PriceRecord[] = [];
  const created = iso(now - 400 * 86_400_000);
  for (let l = 0; l < lists; l++) {
    const id = l + 1;
    priceLists.push({
      id,
      name: LIST_NAMES[l % LIST_NAMES.length] + (l >= LIST_NAMES.length ? ` ${l + 1}` : ""),
      active: true,
      date_created: created,
      date_modified: created,
    });
    const n = Math.min(recordsPerList, catalog.variants.length);
    // A contiguous, list-specific window of variants so lists overlap only partly.
    const offset = catalog.variants.length
      ? Math.floor((catalog.variants.length * l) / Math.max(1, lists))
      : 0;
    const currency = LIST_NAMES[l % LIST_NAMES.length]?.includes("CAD") ? "cad" : "usd";
    for (let i = 0; i < n; i++) {
      const variant = catalog.variants[(offset + i) % catalog.variants.length];
      if (!variant) break;
      const price = round2(Math.max(1, variant.price) * (0.7 + rand() * 0.2));
      const sale = chance(rand, 0.1) ? round2(price * 0.9) : null;
      records.push({
        price_list_id: id,
        variant_id: variant.id,
        product_id: variant.product_id,
        sku: variant.sku,
        currency,
        price,
        sale_price: sale,
        retail_price: null,
        map_price: null,
        calculated_price: sale ?? price,
        bulk_pricing_tiers: chance(rand, 0.05)
          ? [{ quantity_min: 10, quantity_max: null, type: "percent", amount: 5 }]
          : [],
        date_created: created,
        date_modified: created,
      });
    }
  }
  return { price_lists: priceLists, price_list_records: records };
}
