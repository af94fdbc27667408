/**
 * The compare view's diff on a large product: 600 variants, long HTML description, images, custom
 * fields (about 1 MB of JSON), against a version where a bad import changed names, prices, a tenth of
 * the variants, reordered images and rewrote the description.
 *
 *   npx tsx bench/diff-product.ts
 *
 * Goal (issue 5): ≤ 100 ms per diff.
 */
import { diffRecords } from "../app/components/vault/record-diff";

function product(seed: number, edited: boolean) {
  const paragraph =
    "Grippy soles for wet trails, breathable mesh upper, recycled laces and a cushioned footbed. ";
  const variants = Array.from({ length: 600 }, (_, i) => ({
    id: 1000 + i,
    product_id: 77,
    sku: `TS-${seed}-${i}`,
    price: edited && i % 10 === 0 ? 49.99 : 80 + (i % 7),
    sale_price: null,
    inventory_level: edited && i % 25 === 0 ? 0 : 10 + (i % 13),
    option_values: [
      { id: 5000 + (i % 20), label: `Size ${i % 20}`, option_id: 1, option_display_name: "Size" },
      {
        id: 6000 + Math.floor(i / 20),
        label: `Color ${Math.floor(i / 20)}`,
        option_id: 2,
        option_display_name: "Color",
      },
    ],
    description: `${paragraph.repeat(13)}${i}`,
    bin_picking_number: `BIN-${i}`,
    upc: `0${String(100000000000 + i)}`,
    mpn: `MPN-${i}`,
    gtin: null,
    weight: 1.5,
    width: 10,
    height: 12,
    depth: 30,
    image_url: `https://cdn.example.com/products/77/variants/${i}.jpg`,
  }));
  const images = Array.from({ length: 20 }, (_, i) => ({
    id: 900 + i,
    image_url: `https://cdn.example.com/p/77/${i}.jpg`,
    sort_order: i,
    is_thumbnail: i === 0,
  }));
  return {
    id: 77,
    name: edited ? "Trail Shoe - IMPORT 4411" : "Trail Shoe",
    sku: "TS",
    price: edited ? 1 : 80,
    description: `<div>${paragraph.repeat(400)}</div>${edited ? "<p>Imported.</p>" : ""}`,
    categories: [1, 2, 3],
    variants,
    images: edited ? [...images].reverse() : images,
    custom_fields: Array.from({ length: 50 }, (_, i) => ({
      id: 300 + i,
      name: `Field ${i}`,
      value: edited && i === 3 ? "changed" : `Value ${i}`,
    })),
  };
}

const current = product(1, true);
const selected = product(1, false);
const bytes = JSON.stringify(current).length;
const times: number[] = [];
let changed = 0;
for (let i = 0; i < 15; i++) {
  const start = performance.now();
  const delta = diffRecords(current, selected);
  times.push(performance.now() - start);
  changed = Object.keys(delta ?? {}).length;
}
const warm = times.slice(3).sort((a, b) => a - b);
console.log(
  `product JSON ${(bytes / 1024 / 1024).toFixed(2)} MB, 600 variants; top-level fields changed: ${changed}`,
);
console.log(
  `diff: first ${times[0].toFixed(1)} ms, median ${warm[Math.floor(warm.length / 2)].toFixed(1)} ms, max ${warm.at(-1)?.toFixed(1)} ms`,
);
