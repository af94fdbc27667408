import type { ApiRecord } from "../bigcommerce/client";
import type { TypeKey } from "../bigcommerce/registry";

/**
 * Which fields of which content types are image files, declared once: backup downloads them, the
 * item page shows them, restore uploads them, exports pack them. Like `write-spec.ts` for restore,
 * this sits beside the registry and is keyed by its type keys.
 */
export type ImageField = {
  /** The array field holding one object per image (`images`, `variants`); absent when the record itself carries the URL. */
  list?: string;
  /** The file's URL. Values that are not absolute http(s) URLs are not image files (empty, relative paths). */
  url: string;
  /** Changes when the file behind the same URL is replaced: with the URL, it decides whether to download again. */
  modified?: string;
  /** What a merchant calls one of these ("product image"). */
  label: string;
  /**
   * Multipart `image_file` upload that re-creates the file at restore: `{id}` is the record's live id,
   * `{item}` the live id of the list item (variant) found by `itemMatch`. `fields` are copied from the
   * version's image object into the form (order, alt text, thumbnail flag). `creates`: each upload adds
   * a new list item (product images) rather than setting the image of an existing one.
   */
  upload?: { path: string; fields?: string[]; creates?: boolean; itemMatch?: string };
};

export const imageFields: Partial<Record<TypeKey, ImageField[]>> = {
  products: [
    {
      list: "images",
      url: "url_zoom",
      modified: "date_modified",
      label: "product image",
      upload: {
        path: "/catalog/products/{id}/images",
        fields: ["sort_order", "description", "is_thumbnail"],
        creates: true,
      },
    },
    {
      list: "variants",
      url: "image_url",
      label: "variant image",
      upload: { path: "/catalog/products/{id}/variants/{item}/image", itemMatch: "sku" },
    },
  ],
  brands: [{ url: "image_url", label: "brand image", upload: { path: "/catalog/brands/{id}/image" } }],
  // Categories are read from the trees endpoint; their image upload is the legacy per-category one.
  categories: [
    { url: "image_url", label: "category image", upload: { path: "/catalog/categories/{id}/image" } },
  ],
  // BigCommerce has no upload endpoint for blog thumbnails: the file is kept (export, item page) but not re-uploaded.
  blog_posts: [{ url: "thumbnail_path", label: "blog post thumbnail" }],
};

export const imageTypes = Object.keys(imageFields) as TypeKey[];

/** One image a record body references. `key` names this revision of the file: its URL and modification date. */
export type ImageRef = {
  field: ImageField;
  /** The object carrying the URL: the record, or the image/variant in its list. */
  item: ApiRecord;
  url: string;
  key: string;
};

const isFileUrl = (v: unknown): v is string => typeof v === "string" && /^https?:\/\/\S+$/i.test(v);

export function sourceKey(url: string, modified: unknown): string {
  return modified === undefined || modified === null || modified === "" ? url : `${url}#${String(modified)}`;
}

/** Every image file a record body references, in body order (a product's images, then its variants'). */
export function imageRefsOf(type: string, body: ApiRecord | null): ImageRef[] {
  if (!body) return [];
  const out: ImageRef[] = [];
  for (const field of imageFields[type as TypeKey] ?? []) {
    const items = field.list ? body[field.list] : [body];
    if (!Array.isArray(items)) continue;
    for (const item of items as ApiRecord[]) {
      const url = item?.[field.url];
      if (!isFileUrl(url)) continue;
      out.push({
        field,
        item,
        url,
        key: sourceKey(url, field.modified ? item[field.modified] : undefined),
      });
    }
  }
  return out;
}
