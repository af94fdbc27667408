import { type Rec, setModified } from "../engine/table.ts";
import { ensureDefaultTree } from "../resources/catalog-categories.ts";
import type { GenContext, Generator } from "./context.ts";

const ADJECTIVES = [
  "Classic",
  "Rugged",
  "Everyday",
  "Heritage",
  "Alpine",
  "Coastal",
  "Urban",
  "Vintage",
  "Modern",
  "Nordic",
  "Crème",
  "Señorita",
  "Smörgås",
  "Über",
  "Naïve",
  "Ærø",
  "Café",
  "Zürich",
  "Kyoto 京都",
  "Mañana",
  "Organic",
  "Handmade",
  "Premium",
  "Compact",
  "Deluxe",
  "Lightweight",
  "Waterproof",
  "Recycled",
  "Artisan",
  "Weekend",
];
const MATERIALS = [
  "Cotton",
  "Linen",
  "Merino",
  "Leather",
  "Canvas",
  "Bamboo",
  "Oak",
  "Walnut",
  "Ceramic",
  "Stoneware",
  "Copper",
  "Brass",
  "Steel",
  "Titanium",
  "Cork",
  "Wool",
  "Silk",
  "Denim",
  "Hemp",
  "Glass",
];
const NOUNS = [
  "Backpack",
  "Tote",
  "Jacket",
  "Scarf",
  "Beanie",
  "Mug",
  "Teapot",
  "Kettle",
  "Skillet",
  "Cutting Board",
  "Notebook",
  "Pen",
  "Lamp",
  "Planter",
  "Terrarium",
  "Blanket",
  "Pillow",
  "Throw",
  "Apron",
  "Knife",
  "Water Bottle",
  "Candle",
  "Wallet",
  "Belt",
  "Sneakers",
  "Boots",
  "Sunglasses",
  "Watch",
  "Hat",
  "Socks",
  "Towel",
  "Bowl",
  "Plate",
  "Vase",
  "Clock",
  "Chair",
  "Stool",
  "Shelf",
  "Basket",
  "Journal",
];
const COLORS = [
  "Black",
  "White",
  "Navy",
  "Olive",
  "Rust",
  "Sand",
  "Slate",
  "Crimson",
  "Teal",
  "Mustard",
  "Blush",
  "Charcoal",
];
const SIZES = ["XS", "S", "M", "L", "XL", "XXL"];
const FINISHES = ["Matte", "Gloss", "Satin", "Brushed"];
const BRAND_PARTS_A = [
  "Nord",
  "Sol",
  "Terra",
  "Blue",
  "Oak",
  "Iron",
  "Wild",
  "Fjäll",
  "Côte",
  "Maple",
  "Cedar",
  "Luna",
  "Stone",
  "Brook",
  "Ember",
];
const BRAND_PARTS_B = [
  "wind",
  "forge",
  "craft",
  "& Co.",
  "works",
  "haven",
  "field",
  "line",
  "ridge",
  "Supply",
  "Goods",
  "Atelier",
  "Outfitters",
  "Studio",
  "Lab",
];
const TOP_CATEGORIES = [
  "Apparel",
  "Home & Kitchen",
  "Outdoor",
  "Accessories",
  "Stationery",
  "Garden",
  "Bath",
  "Décor",
  "Footwear",
  "Travel",
  "Gifts",
  "Sale",
];
const SUB_WORDS = [
  "Essentials",
  "New Arrivals",
  "Bestsellers",
  "Men",
  "Women",
  "Kids",
  "Basics",
  "Premium",
  "Limited",
  "Seasonal",
  "Eco",
  "Classics",
  "Tools",
  "Storage",
  "Lighting",
  "Textiles",
];

const SIZES_BY_PROFILE = {
  products: { demo: 50, "rs-10k": 10_000, empty: 0 },
  categories: { demo: 15, "rs-10k": 300, empty: 0 },
  brands: { demo: 8, "rs-10k": 100, empty: 0 },
};

function uniqueName(base: string, taken: Set<string>): string {
  let name = base;
  let n = 2;
  while (taken.has(name.toLowerCase())) name = `${base} ${n++}`;
  taken.add(name.toLowerCase());
  return name;
}

function description(g: GenContext, name: string, material: string): string {
  const r = g.rng;
  const points = [
    "Designed to last",
    `Made from ${material.toLowerCase()}`,
    "Ships in recyclable packaging",
    "Care: wipe clean",
    "Two-year warranty",
    "Ethically sourced",
  ];
  const picked = points.filter(() => r.chance(0.5)).slice(0, 4);
  return `<p>The <strong>${name}</strong> is a ${r.pick(["customer favourite", "new take on a classic", "studio staple", "best-seller"])}.</p>${picked.length ? `<ul>${picked.map((p) => `<li>${p}</li>`).join("")}</ul>` : ""}<p><em>${r.pick(["Limited stock.", "Free returns within 30 days.", "Pairs well with our other essentials.", "Gift wrapping available."])}</em></p>`;
}

/** Spreads a record's last change between its creation and now (the generator is not a live change). */
function ageRecord(rec: Rec, g: GenContext, created: number): void {
  const modified = created + Math.floor(g.rng.next() * (g.now - created));
  setModified(rec, modified);
  if ("date_modified" in rec)
    rec.date_modified = `${new Date(Math.floor(modified / 1000) * 1000).toISOString().slice(0, 19)}+00:00`;
}

function generateBrands(g: GenContext): number[] {
  const n = g.size(SIZES_BY_PROFILE.brands);
  const taken = new Set<string>();
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const name = uniqueName(
      `${g.rng.pick(BRAND_PARTS_A)}${g.rng.pick(BRAND_PARTS_B).startsWith("&") ? " " : ""}${g.rng.pick(BRAND_PARTS_B)}`,
      taken,
    );
    const b = g.create("brands", {
      name,
      page_title: `${name} | Shop the collection`,
      meta_keywords: [name.toLowerCase()],
      meta_description: `Everything from ${name}.`,
      search_keywords: name.toLowerCase(),
      image_url: g.rng.chance(0.7) ? `${g.cdn}/brands/${i + 1}/logo.png` : "",
    });
    ids.push(b.id);
  }
  return ids;
}

/** Categories several levels deep: top level, then children and grandchildren (a few great-grandchildren). */
function generateCategories(g: GenContext): number[] {
  const n = g.size(SIZES_BY_PROFILE.categories);
  const created: Rec[] = [];
  const top = Math.min(TOP_CATEGORIES.length, Math.max(3, Math.round(n / 25)));
  for (let i = 0; i < top && created.length < n; i++) {
    created.push(
      g.create("categories", {
        parent_id: 0,
        name: TOP_CATEGORIES[i],
        description: `<p>All things ${TOP_CATEGORIES[i].toLowerCase()}.</p>`,
        sort_order: i,
        page_title: TOP_CATEGORIES[i],
        is_visible: true,
      }),
    );
  }
  while (created.length < n) {
    // Prefer shallow parents so the tree is bushy, with some chains 4 levels deep.
    const parent = created[Math.floor(g.rng.next() ** 1.6 * created.length)];
    const depth = depthOf(parent, created);
    if (depth >= 4) continue;
    const siblings = created.filter((c) => c.parent_id === parent.id).map((c) => c.name.toLowerCase());
    const word = g.rng.pick(SUB_WORDS);
    const name = depth === 1 ? `${parent.name} ${word}` : `${word} ${g.rng.pick(NOUNS)}s`;
    if (siblings.includes(name.toLowerCase())) continue;
    created.push(
      g.create("categories", {
        parent_id: parent.id,
        name: name.slice(0, 50),
        description: `<p>${name}</p>`,
        sort_order: siblings.length,
        is_visible: g.rng.chance(0.92),
        default_product_sort: g.rng.pick(["use_store_settings", "featured", "newest", "price_asc"]),
      }),
    );
  }
  // Half the categories have a picture (drawn from the id, so the random stream is untouched).
  for (const c of created) if (c.id % 2 === 0) c.image_url = `${g.cdn}/categories/${c.id}/hero.jpg`;
  return created.map((c) => c.id);
}

function depthOf(rec: Rec, all: Rec[]): number {
  let d = 1;
  let cur = rec;
  while (cur.parent_id) {
    const p = all.find((c) => c.id === cur.parent_id);
    if (!p) break;
    cur = p;
    d++;
  }
  return d;
}

function generateProducts(g: GenContext, brandIds: number[], categoryIds: number[]): void {
  const n = g.size(SIZES_BY_PROFILE.products);
  const r = g.rng;
  const taken = new Set<string>();
  for (let i = 0; i < n; i++) {
    const material = r.pick(MATERIALS);
    const noun = r.pick(NOUNS);
    const name = uniqueName(`${r.pick(ADJECTIVES)} ${material} ${noun}`, taken);
    const price = r.chance(0.7) ? r.money(8, 150) : r.money(150, 900);
    const onSale = r.chance(0.15);
    const withOptions = r.chance(0.25);
    const withModifiers = withOptions ? r.chance(0.2) : r.chance(0.07);
    const sku = `SB-${String(i + 1).padStart(5, "0")}`;
    const created = g.past();
    const input: Rec = {
      name,
      type: r.chance(0.95) ? "physical" : "digital",
      sku,
      description: description(g, name, material),
      weight: Math.round(r.next() * 50 * 100) / 100,
      width: r.int(1, 60),
      height: r.int(1, 60),
      depth: r.int(1, 40),
      price,
      cost_price: Math.round(price * (0.35 + r.next() * 0.25) * 100) / 100,
      retail_price: r.chance(0.3) ? Math.round(price * 1.2 * 100) / 100 : 0,
      sale_price: onSale ? Math.round(price * 0.8 * 100) / 100 : 0,
      categories: categoryIds.length
        ? [...new Set([r.pick(categoryIds), ...(r.chance(0.4) ? [r.pick(categoryIds)] : [])])]
        : [],
      brand_id: brandIds.length && r.chance(0.85) ? r.pick(brandIds) : 0,
      inventory_tracking: withOptions ? "variant" : r.chance(0.7) ? "product" : "none",
      inventory_level: r.int(0, 400),
      inventory_warning_level: r.int(0, 10),
      is_visible: r.chance(0.93),
      is_featured: r.chance(0.08),
      is_free_shipping: r.chance(0.1),
      condition: r.chance(0.97) ? "New" : "Refurbished",
      search_keywords: `${material.toLowerCase()}, ${noun.toLowerCase()}`,
      page_title: name,
      meta_description: `${name} by our workshop.`,
      meta_keywords: [material.toLowerCase(), noun.toLowerCase()],
      upc: r.chance(0.5) ? String(r.int(100000000000, 999999999999)) : "",
      mpn: r.chance(0.3) ? `MPN-${r.int(10000, 99999)}` : "",
      sort_order: r.int(0, 20),
      total_sold: 0,
      variants: withOptions ? variantsFor(g, sku, price) : undefined,
      custom_fields: Array.from({ length: r.int(0, 4) }, (_, k) => ({
        name: ["Origin", "Care", "Material", "Warranty", "Fit"][k],
        value: [
          r.pick(["Portugal", "Japan", "Vietnam", "USA", "Sweden", "México"]),
          "Hand wash",
          material,
          "2 years",
          r.pick(["Regular", "Slim", "Relaxed"]),
        ][k],
      })),
      bulk_pricing_rules: r.chance(0.1)
        ? [
            { quantity_min: 5, quantity_max: 9, type: "percent", amount: 5 },
            { quantity_min: 10, quantity_max: 0, type: "percent", amount: 10 },
          ]
        : undefined,
      videos: r.chance(0.05)
        ? [{ video_id: `dQw4w9WgXc${r.int(0, 9)}`, title: `${name} in use`, type: "youtube" }]
        : undefined,
    };
    const p = g.create("products", input, { at: created });
    // A quarter of the products with options show a picture per variant.
    if (withOptions && p.id % 4 === 0) {
      const variants = g.ctx.store.table("variants");
      for (const v of variants.by("product_id", p.id))
        variants.replace({ ...v, image_url: `${g.cdn}/products/${p.id}/variants/${v.id}.jpg` });
    }
    const images = r.int(1, 5);
    for (let k = 1; k <= images; k++) {
      g.create(
        "product_images",
        {
          image_url: `${g.cdn}/products/${p.id}/${k}.jpg`,
          is_thumbnail: k === 1,
          sort_order: k - 1,
          description: k === 1 ? name : "",
        },
        { parent: p, at: created },
      );
    }
    if (withModifiers) modifiersFor(g, p);
    if (r.chance(0.1)) {
      g.create(
        "product_metafields",
        {
          namespace: "shipping",
          key: "hs_code",
          value: String(r.int(4000, 9999)),
          permission_set: "read",
          description: "Customs code",
        },
        { parent: p, at: created },
      );
    }
    ageRecord(p, g, created);
  }
}

function variantsFor(g: GenContext, sku: string, price: number): Rec[] {
  const r = g.rng;
  const two = r.chance(0.85);
  const colors = shuffle(g, COLORS).slice(0, r.int(3, 5));
  const second = two ? shuffle(g, SIZES).slice(0, r.int(3, 4)) : [];
  const out: Rec[] = [];
  const finishes = two ? [] : shuffle(g, FINISHES).slice(0, r.int(2, 4));
  const firstList = two ? colors : finishes;
  for (const a of firstList) {
    for (const b of two ? second : [null]) {
      const option_values = [{ option_display_name: two ? "Color" : "Finish", label: a }];
      if (b) option_values.push({ option_display_name: "Size", label: b });
      out.push({
        sku: `${sku}-${a.slice(0, 3).toUpperCase()}${b ? `-${b}` : ""}`,
        price: r.chance(0.3) ? Math.round(price * (1 + r.next() * 0.2) * 100) / 100 : null,
        inventory_level: r.int(0, 80),
        option_values,
      });
    }
  }
  return out;
}

function modifiersFor(g: GenContext, p: Rec): void {
  const r = g.rng;
  const kind = r.pick(["text", "checkbox", "dropdown"]);
  if (kind === "text") {
    g.create(
      "product_modifiers",
      {
        display_name: "Engraving",
        type: "text",
        required: false,
        config: { text_characters_limited: true, text_min_length: 0, text_max_length: 24 },
      },
      { parent: p },
    );
  } else if (kind === "checkbox") {
    g.create(
      "product_modifiers",
      {
        display_name: "Gift wrap",
        type: "checkbox",
        required: false,
        config: { checkbox_label: "Add gift wrap" },
      },
      { parent: p },
    );
  } else {
    const m = g.create(
      "product_modifiers",
      {
        display_name: "Warranty",
        type: "dropdown",
        required: false,
        option_values: [
          { label: "Standard", is_default: true, adjusters: { price: null } },
          { label: "Extended (3 years)", adjusters: { price: { adjuster: "relative", adjuster_value: 19 } } },
        ],
      },
      { parent: p },
    );
    if (r.chance(0.5)) {
      const value = g.ctx.store.table("product_modifier_values").by("option_id", m.id)[1];
      g.create(
        "product_complex_rules",
        {
          enabled: true,
          price_adjuster: { adjuster: "relative", adjuster_value: 5 },
          conditions: [{ modifier_id: m.id, modifier_value_id: value.id, variant_id: null }],
        },
        { parent: p },
      );
    }
  }
}

function shuffle<T>(g: GenContext, items: readonly T[]): T[] {
  const a = items.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(g.rng.next() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** Brands, categories (default tree), products with variants, images, custom fields, modifiers and metafields. */
export const catalogGenerator: Generator = {
  name: "catalog",
  generate(g) {
    ensureDefaultTree(g.ctx);
    const brandIds = generateBrands(g);
    const categoryIds = generateCategories(g);
    generateProducts(g, brandIds, categoryIds);
  },
};
