import type { Store } from "../engine/store.ts";
import type { Rec } from "../engine/table.ts";
import type { CatalogRefs, VariantRef } from "../generate/content-kit.ts";

/**
 * Reads the catalog facts the non-catalog types reference (orders, price lists, wishlists, inventory)
 * from the store's catalog tables, so generators and order creation see real products and variants.
 */
export const PRODUCTS_TABLE = "products";
export const VARIANTS_TABLE = "variants";

export function variantRef(store: Store, variant: Rec, product?: Rec): VariantRef {
  const p = product ?? store.table(PRODUCTS_TABLE).get(variant.product_id);
  const price =
    typeof variant.price === "number" ? variant.price : typeof p?.price === "number" ? p.price : 0;
  const brand = p?.brand_id ? store.table("brands").get(p.brand_id) : undefined;
  return {
    id: variant.id,
    product_id: variant.product_id,
    sku: String(variant.sku ?? p?.sku ?? ""),
    sku_id: typeof variant.sku_id === "number" ? variant.sku_id : null,
    price,
    product_name: String(p?.name ?? `Product ${variant.product_id}`),
    brand_name: brand ? String(brand.name) : "",
    weight:
      typeof variant.weight === "number" ? variant.weight : typeof p?.weight === "number" ? p.weight : 1,
    has_options: Array.isArray(variant.option_values) && variant.option_values.length > 0,
  };
}

export function catalogRefs(store: Store): CatalogRefs {
  const products = store.table(PRODUCTS_TABLE);
  const variants: VariantRef[] = [];
  for (const v of store.table(VARIANTS_TABLE).all())
    variants.push(variantRef(store, v, products.get(v.product_id)));
  return {
    variants,
    categoryIds: store
      .table("categories")
      .all()
      .map((c) => c.id as number),
    brandIds: store
      .table("brands")
      .all()
      .map((b) => b.id as number),
  };
}

/** The variant a line item or price record names: by variant id, by SKU, or the product's base variant. */
export function findVariant(
  store: Store,
  ref: { variant_id?: unknown; sku?: unknown; product_id?: unknown },
): Rec | undefined {
  const variants = store.table(VARIANTS_TABLE);
  if (ref.variant_id !== undefined && ref.variant_id !== null) return variants.get(Number(ref.variant_id));
  if (typeof ref.sku === "string" && ref.sku) {
    variants.ensureIndex("sku");
    return variants.by("sku", ref.sku)[0];
  }
  if (ref.product_id !== undefined && ref.product_id !== null) {
    variants.ensureIndex("product_id");
    return variants.by("product_id", Number(ref.product_id))[0];
  }
  return undefined;
}
