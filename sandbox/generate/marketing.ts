/**
 * Marketing: promotions (+ codes, promotions.v3.yml), legacy coupons, gift certificates and banners
 * (marketing.v2.yml).
 */
import {
  type CatalogRefs,
  chance,
  code,
  FIRST_NAMES,
  int,
  iso,
  LAST_NAMES,
  pick,
  type Rand,
  rfc2822,
} from "./content-kit.ts";

export interface Promotion {
  id: number;
  redemption_type: "AUTOMATIC" | "COUPON";
  name: string;
  display_name: string;
  channels: { id: number }[];
  customer: { group_ids: number[]; minimum_order_count: number; excluded_group_ids: number[] };
  rules: Record<string, unknown>[];
  current_uses: number;
  max_uses?: number;
  status: "ENABLED" | "DISABLED" | "INVALID";
  start_date: string;
  end_date?: string;
  stop: boolean;
  can_be_used_with_other_promotions: boolean;
  currency_code: string;
  notifications: { content: string; type: "UPSELL" | "ELIGIBLE" | "APPLIED"; locations: string[] }[];
  created_from: "react_ui" | "legacy_ui" | "api";
  coupon_overrides_other_promotions?: boolean;
  coupon_overrides_automatic_when_offering_higher_discounts?: boolean;
  multiple_codes?: { has_multiple_codes: boolean };
  coupon_type?: "SINGLE" | "BULK";
}

export interface PromotionCode {
  id: number;
  promotion_id: number;
  code: string;
  current_uses: number;
  max_uses: number;
  max_uses_per_customer: number;
  created: string;
}

export interface Coupon {
  id: number;
  name: string;
  type:
    | "per_item_discount"
    | "per_total_discount"
    | "shipping_discount"
    | "free_shipping"
    | "percentage_discount"
    | "promotion";
  amount: string;
  min_purchase: string;
  expires: string;
  enabled: boolean;
  code: string;
  applies_to: { entity: string; ids: number[] };
  num_uses: number;
  max_uses: number;
  max_uses_per_customer: number;
  restricted_to: Record<string, unknown>;
  shipping_methods: string[];
  date_created: string;
}

export interface GiftCertificate {
  id: number;
  customer_id: number;
  order_id: number;
  code: string;
  amount: string;
  balance: string;
  status: "active" | "pending" | "disabled" | "expired";
  template: string;
  message: string;
  to_name: string;
  to_email: string;
  from_name: string;
  from_email: string;
  purchase_date: string;
  expiry_date: string;
  currency_code: string;
}

export interface Banner {
  id: number;
  name: string;
  content: string;
  page: "home_page" | "category_page" | "brand_page" | "search_page";
  location: "top" | "bottom";
  date_type: "always" | "custom";
  date_from: string;
  date_to: string;
  visible: string;
  item_id: string;
  date_created: string;
}

export interface MarketingSizes {
  promotions: number;
  coupons: number;
  gift_certificates: number;
  banners: number;
}

export interface MarketingData {
  promotions: Promotion[];
  promotion_codes: PromotionCode[];
  coupons: Coupon[];
  gift_certificates: GiftCertificate[];
  banners: Banner[];
}

const COUPON_TYPES: Coupon["type"][] = [
  "per_item_discount",
  "per_total_discount",
  "free_shipping",
  "percentage_discount",
];

export function generateMarketing(
  rand: Rand,
  now: number,
  sizes: MarketingSizes,
  catalog: CatalogRefs,
  customerIds: number[],
): MarketingData {
  const day = 86_400_000;
  const promotions: Promotion[] = [];
  const codes: PromotionCode[] = [];
  for (let i = 0; i < sizes.promotions; i++) {
    const coupon = i % 2 === 1;
    const percent = String(int(rand, 5, 30));
    const promotion: Promotion = {
      id: i + 1,
      redemption_type: coupon ? "COUPON" : "AUTOMATIC",
      name: coupon ? `Code promo ${i + 1}: ${percent}% off` : `Spend $100, get ${percent}% off`,
      display_name: `${percent}% off`,
      channels: [{ id: 1 }],
      customer: { group_ids: [], minimum_order_count: 0, excluded_group_ids: [] },
      rules: [
        {
          action: { cart_value: { discount: { percentage_amount: percent } } },
          apply_once: true,
          stop: false,
          condition: { cart: { minimum_spend: "100" } },
        },
      ],
      current_uses: int(rand, 0, 300),
      status: chance(rand, 0.8) ? "ENABLED" : "DISABLED",
      start_date: iso(now - int(rand, 30, 600) * day),
      stop: false,
      can_be_used_with_other_promotions: chance(rand, 0.5),
      currency_code: "USD",
      notifications: [],
      created_from: "react_ui",
    };
    if (coupon) {
      promotion.coupon_overrides_other_promotions = false;
      promotion.coupon_overrides_automatic_when_offering_higher_discounts = false;
      promotion.multiple_codes = { has_multiple_codes: false };
      promotion.coupon_type = "SINGLE";
      codes.push({
        id: codes.length + 1,
        promotion_id: promotion.id,
        code: `PROMO${i + 1}${code(rand, 4)}`,
        current_uses: int(rand, 0, 40),
        max_uses: 0,
        max_uses_per_customer: 1,
        created: promotion.start_date,
      });
    }
    promotions.push(promotion);
  }
  const coupons: Coupon[] = [];
  for (let i = 0; i < sizes.coupons; i++) {
    const type = pick(rand, COUPON_TYPES);
    const byCategory = catalog.categoryIds.length > 0 && chance(rand, 0.3);
    coupons.push({
      id: i + 1,
      name: `${type === "free_shipping" ? "Free shipping" : "Discount"} ${i + 1}`,
      type,
      amount: type === "free_shipping" ? "0.0000" : `${int(rand, 5, 25)}.0000`,
      min_purchase: chance(rand, 0.3) ? "50.0000" : "0.0000",
      expires: chance(rand, 0.4) ? rfc2822(now + int(rand, -200, 200) * day) : "",
      enabled: chance(rand, 0.85),
      code: `SAVE${String(i + 1).padStart(3, "0")}${code(rand, 3)}`,
      applies_to: byCategory
        ? { entity: "categories", ids: [pick(rand, catalog.categoryIds)] }
        : { entity: "categories", ids: [0] },
      num_uses: int(rand, 0, 120),
      max_uses: chance(rand, 0.3) ? 500 : 0,
      max_uses_per_customer: chance(rand, 0.5) ? 1 : 0,
      restricted_to: {},
      shipping_methods: [],
      date_created: rfc2822(now - int(rand, 10, 700) * day),
    });
  }
  const giftCertificates: GiftCertificate[] = [];
  for (let i = 0; i < sizes.gift_certificates; i++) {
    const amount = pick(rand, [25, 50, 75, 100, 150]);
    const spent = chance(rand, 0.5) ? int(rand, 0, amount) : 0;
    const purchased = now - int(rand, 1, 700) * day;
    giftCertificates.push({
      id: i + 1,
      customer_id: customerIds.length && chance(rand, 0.6) ? pick(rand, customerIds) : 0,
      order_id: 0,
      code: `${code(rand, 3)}-${code(rand, 3)}-${code(rand, 3)}-${code(rand, 3)}`,
      amount: `${amount}.0000`,
      balance: `${amount - spent}.0000`,
      status: amount === spent ? "disabled" : pick(rand, ["active", "active", "active", "pending"]),
      template: pick(rand, ["birthday.html", "celebration.html", "general.html", "christmas.html"]),
      message: pick(rand, ["Happy birthday!", "Joyeux Noël 🎁", "Thanks for everything", ""]),
      to_name: `${pick(rand, FIRST_NAMES)} ${pick(rand, LAST_NAMES)}`,
      to_email: `recipient${i + 1}@example.com`,
      from_name: `${pick(rand, FIRST_NAMES)} ${pick(rand, LAST_NAMES)}`,
      from_email: `giver${i + 1}@example.com`,
      purchase_date: rfc2822(purchased),
      expiry_date: chance(rand, 0.3) ? rfc2822(purchased + 365 * day) : "",
      currency_code: "USD",
    });
  }
  const banners: Banner[] = [];
  for (let i = 0; i < sizes.banners; i++) {
    const page =
      i === 1 && catalog.categoryIds.length
        ? "category_page"
        : i === 2 && catalog.brandIds.length
          ? "brand_page"
          : "home_page";
    banners.push({
      id: i + 1,
      name: `Banner ${i + 1}`,
      content: `<p><strong>Free shipping</strong> on orders over $100 — <a href="/sale/">shop the sale</a></p>`,
      page,
      location: i % 2 === 0 ? "top" : "bottom",
      date_type: "always",
      date_from: "0",
      date_to: "0",
      visible: "1",
      item_id:
        page === "category_page"
          ? String(catalog.categoryIds[0])
          : page === "brand_page"
            ? String(catalog.brandIds[0])
            : "0",
      date_created: String(Math.floor((now - int(rand, 10, 500) * day) / 1000)),
    });
  }
  return { promotions, promotion_codes: codes, coupons, gift_certificates: giftCertificates, banners };
}
