/**
 * Orders (v2) with their line items, shipping addresses, coupons and fees, plus v3 transactions and order
 * metafields. Stored rows are the v2 response shapes of orders.v2.oas2.yml; the order's sub-resource links
 * (`products`, `shipping_addresses`, `coupons`, `consignments`, `fees`) are rendered per request.
 */

import {
  type CatalogRefs,
  chance,
  code,
  FIRST_NAMES,
  hexString,
  int,
  iso,
  LAST_NAMES,
  money4,
  PLACES,
  pick,
  type Rand,
  rfc2822,
  round2,
  STREETS,
  uuid,
  type VariantRef,
} from "./content-kit.ts";
import type { Customer, CustomerAddress } from "./customers.ts";

export const ORDER_STATUSES: { id: number; name: string }[] = [
  { id: 0, name: "Incomplete" },
  { id: 1, name: "Pending" },
  { id: 2, name: "Shipped" },
  { id: 3, name: "Partially Shipped" },
  { id: 4, name: "Refunded" },
  { id: 5, name: "Cancelled" },
  { id: 6, name: "Declined" },
  { id: 7, name: "Awaiting Payment" },
  { id: 8, name: "Awaiting Pickup" },
  { id: 9, name: "Awaiting Shipment" },
  { id: 10, name: "Completed" },
  { id: 11, name: "Awaiting Fulfillment" },
  { id: 12, name: "Manual Verification Required" },
  { id: 13, name: "Disputed" },
  { id: 14, name: "Partially Refunded" },
];

export function statusName(id: number): string {
  return ORDER_STATUSES.find((s) => s.id === id)?.name ?? "Pending";
}

export interface BillingAddress {
  first_name: string;
  last_name: string;
  company: string;
  street_1: string;
  street_2: string;
  city: string;
  state: string;
  zip: string;
  country: string;
  country_iso2: string;
  phone: string;
  email: string;
  form_fields: { name: string; value: string }[];
}

/** The stored v2 order row, without the sub-resource links. */
export interface Order {
  id: number;
  customer_id: number;
  date_created: string;
  date_modified: string;
  date_shipped: string;
  status_id: number;
  status: string;
  subtotal_ex_tax: string;
  subtotal_inc_tax: string;
  subtotal_tax: string;
  base_shipping_cost: string;
  shipping_cost_ex_tax: string;
  shipping_cost_inc_tax: string;
  shipping_cost_tax: string;
  shipping_cost_tax_class_id: number;
  base_handling_cost: string;
  handling_cost_ex_tax: string;
  handling_cost_inc_tax: string;
  handling_cost_tax: string;
  handling_cost_tax_class_id: number;
  base_wrapping_cost: string;
  wrapping_cost_ex_tax: string;
  wrapping_cost_inc_tax: string;
  wrapping_cost_tax: string;
  wrapping_cost_tax_class_id: number;
  total_ex_tax: string;
  total_inc_tax: string;
  total_tax: string;
  items_total: number;
  items_shipped: number;
  payment_method: string;
  payment_provider_id: string;
  payment_status: string;
  refunded_amount: string;
  order_is_digital: boolean;
  store_credit_amount: string;
  gift_certificate_amount: string;
  ip_address: string;
  ip_address_v6: string;
  geoip_country: string;
  geoip_country_iso2: string;
  currency_id: number;
  currency_code: string;
  currency_exchange_rate: string;
  default_currency_id: number;
  default_currency_code: string;
  staff_notes: string;
  customer_message: string;
  discount_amount: string;
  coupon_discount: string;
  shipping_address_count: number;
  is_deleted: boolean;
  ebay_order_id: string;
  cart_id: string;
  billing_address: BillingAddress;
  is_email_opt_in: boolean;
  credit_card_type: null;
  order_source: string;
  channel_id: number;
  external_source: string | null;
  external_id: string | null;
  external_merchant_id: string | null;
  tax_provider_id: string;
  customer_locale: string;
  external_order_id: string;
  store_default_currency_code: string;
  store_default_to_transactional_exchange_rate: string;
  custom_status: string;
  is_tax_inclusive_pricing: boolean;
}

export interface OrderProduct {
  id: number;
  order_id: number;
  product_id: number;
  variant_id: number;
  order_pickup_method_id: number;
  order_address_id: number;
  name: string;
  name_customer: string;
  name_merchant: string;
  sku: string;
  upc: string;
  type: "physical" | "digital" | "giftcertificate";
  base_price: string;
  price_ex_tax: string;
  price_inc_tax: string;
  price_tax: string;
  base_total: string;
  total_ex_tax: string;
  total_inc_tax: string;
  total_tax: string;
  weight: string;
  width: string;
  height: string;
  depth: string;
  quantity: number;
  base_cost_price: string;
  cost_price_inc_tax: string;
  cost_price_ex_tax: string;
  cost_price_tax: string;
  is_refunded: boolean;
  quantity_refunded: number;
  refund_amount: string;
  return_id: number;
  wrapping_id: number;
  wrapping_name: string | null;
  base_wrapping_cost: string;
  wrapping_cost_ex_tax: string;
  wrapping_cost_inc_tax: string;
  wrapping_cost_tax: string;
  wrapping_message: string;
  quantity_shipped: number;
  event_name: string | null;
  event_date: string | null;
  fixed_shipping_cost: string;
  ebay_item_id: string;
  ebay_transaction_id: string;
  option_set_id: number | null;
  parent_order_product_id: number | null;
  is_bundled_product: boolean;
  bin_picking_number: string;
  external_id: string | null;
  brand: string;
  gift_certificate_id: number | null;
  discounted_total_inc_tax: string;
  applied_discounts: {
    id: string;
    amount: string;
    name: string;
    code: string | null;
    target: "order" | "product";
  }[];
  product_options: {
    id: number;
    option_id: number;
    order_product_id: number;
    product_option_id: number;
    display_name: string;
    display_value: string;
    value: string;
    type: string;
    name: string;
    display_style: string;
  }[];
  configurable_fields: { name: string; value: string }[];
}

export interface OrderShippingAddress {
  id: number;
  order_id: number;
  first_name: string;
  last_name: string;
  company: string;
  street_1: string;
  street_2: string;
  city: string;
  zip: string;
  country: string;
  country_iso2: string;
  state: string;
  email: string;
  phone: string;
  items_total: number;
  items_shipped: number;
  shipping_method: string;
  base_cost: string;
  cost_ex_tax: string;
  cost_inc_tax: string;
  cost_tax: string;
  cost_tax_class_id: number;
  base_handling_cost: string;
  handling_cost_ex_tax: string;
  handling_cost_inc_tax: string;
  handling_cost_tax: string;
  handling_cost_tax_class_id: number;
  shipping_zone_id: number;
  shipping_zone_name: string;
  form_fields: { name: string; value: string }[];
}

export interface OrderCoupon {
  id: number;
  coupon_id: number;
  order_id: number;
  code: string;
  amount: string;
  type: number;
  discount: number;
}

export interface OrderFee {
  id: number;
  order_id: number;
  type: "custom_fee";
  display_name_customer: string;
  display_name_merchant: string;
  source: string;
  base_cost: string;
  cost_ex_tax: string;
  cost_inc_tax: string;
  cost_tax: string;
  tax_class_id: number | null;
}

export interface OrderTransaction {
  id: number;
  order_id: string;
  event: string;
  method: string;
  amount: number;
  currency: string;
  gateway: string;
  gateway_transaction_id: string;
  date_created: string;
  test: boolean;
  status: string;
  fraud_review: boolean;
  offline: null;
  custom: null;
  payment_method_id: string;
  payment_instrument_token: string | null;
  provider_instrument_token: string | null;
  provider_customer_id: string | null;
  avs_result: { code: string; message: string; street_match: string; postal_match: string };
  cvv_result: { code: string; message: string };
  credit_card: {
    card_type: string;
    card_iin: string;
    card_last4: string;
    card_expiry_month: number;
    card_expiry_year: number;
  };
  gift_certificate: null;
  store_credit: null;
}

export interface OrderMetafield {
  id: number;
  resource_id: number;
  resource_type: "order";
  key: string;
  value: string;
  namespace: string;
  permission_set: string;
  description: string;
  date_created: string;
  date_modified: string;
  owner_client_id: string;
}

export interface OrderData {
  orders: Order[];
  order_products: StoredLine[];
  order_shipping_addresses: OrderShippingAddress[];
  order_coupons: OrderCoupon[];
  order_fees: OrderFee[];
  order_transactions: OrderTransaction[];
  order_metafields: OrderMetafield[];
}

export interface OrderContext {
  customers: Customer[];
  addressesByCustomer: Map<number, CustomerAddress>;
  couponCodes: { id: number; code: string; type: string }[];
}

const SHIPPING_METHODS = ["Flat Rate", "Free Shipping", "UPS Ground", "Royal Mail 1st Class"];
const WEIGHTED_STATUSES = [10, 10, 10, 10, 2, 2, 2, 11, 11, 9, 1, 5, 4, 14, 7];

/** Empty containers so the stores' collections exist even for the `empty` profile. */
export function emptyOrderData(): OrderData {
  return {
    orders: [],
    order_products: [],
    order_shipping_addresses: [],
    order_coupons: [],
    order_fees: [],
    order_transactions: [],
    order_metafields: [],
  };
}

/** `count` orders over the two years before `now`, ids ascending with date_created, averaging 3 lines. */
export function generateOrders(
  rand: Rand,
  now: number,
  count: number,
  catalog: CatalogRefs,
  ctx: OrderContext,
): OrderData {
  const data = emptyOrderData();
  if (!catalog.variants.length) return data;
  const start = now - 730 * 86_400_000;
  const step = (now - start) / Math.max(1, count);
  for (let i = 0; i < count; i++) {
    const created = Math.floor(start + i * step + rand() * step);
    const customer = ctx.customers.length && chance(rand, 0.85) ? pick(rand, ctx.customers) : null;
    const lines: { variant: VariantRef; quantity: number }[] = [];
    const nLines = rand() < 0.25 ? 1 : rand() < 0.5 ? int(rand, 2, 3) : int(rand, 3, 6);
    for (let l = 0; l < nLines; l++)
      lines.push({ variant: pick(rand, catalog.variants), quantity: rand() < 0.7 ? 1 : int(rand, 2, 4) });
    const coupon = ctx.couponCodes.length && chance(rand, 0.08) ? pick(rand, ctx.couponCodes) : null;
    const statusId = pick(rand, WEIGHTED_STATUSES);
    const modified =
      statusId === 10 || statusId === 2
        ? created + int(rand, 1, 5) * 86_400_000
        : created + int(rand, 0, 3600) * 1000;
    appendOrder(rand, data, {
      id: i + 1,
      created,
      modified: Math.min(modified, now),
      statusId,
      customer,
      address: customer ? (ctx.addressesByCustomer.get(customer.id) ?? null) : null,
      lines,
      coupon,
      fee: chance(rand, 0.05),
      channelId: 1,
    });
  }
  return data;
}

interface OrderSpec {
  id: number;
  created: number;
  modified: number;
  statusId: number;
  customer: Customer | null;
  address: CustomerAddress | null;
  lines: { variant: VariantRef; quantity: number }[];
  coupon: { id: number; code: string; type: string } | null;
  fee: boolean;
  channelId: number;
}

function appendOrder(rand: Rand, data: OrderData, spec: OrderSpec): void {
  const place = spec.address
    ? {
        first_name: spec.address.first_name,
        last_name: spec.address.last_name,
        street_1: spec.address.address1,
        city: spec.address.city,
        state: spec.address.state_or_province,
        zip: spec.address.postal_code,
        country: spec.address.country,
        country_iso2: spec.address.country_code,
        phone: spec.address.phone,
      }
    : guestPlace(rand);
  const email = spec.customer?.email ?? `guest.${spec.id}@example.net`;
  const billing: BillingAddress = {
    first_name: place.first_name,
    last_name: place.last_name,
    company: "",
    street_1: place.street_1,
    street_2: "",
    city: place.city,
    state: place.state,
    zip: place.zip,
    country: place.country,
    country_iso2: place.country_iso2,
    phone: place.phone,
    email,
    form_fields: [],
  };
  const shipped = spec.statusId === 2 || spec.statusId === 10;
  let subtotal = 0;
  let items = 0;
  const addressId = data.order_shipping_addresses.length + 1;
  for (const line of spec.lines) {
    const price = round2(line.variant.price > 0 ? line.variant.price : 9.99);
    subtotal += price * line.quantity;
    items += line.quantity;
    data.order_products.push(
      storedLine(
        data.order_products.length + 1,
        spec.id,
        addressId,
        line.variant,
        line.quantity,
        price,
        shipped,
      ),
    );
  }
  subtotal = round2(subtotal);
  const shipping = subtotal > 100 ? 0 : 8.5;
  const discount = spec.coupon ? round2(subtotal * 0.1) : 0;
  const feeCost = spec.fee ? 2.5 : 0;
  const total = round2(subtotal + shipping - discount + feeCost);
  const method = shipping === 0 ? "Free Shipping" : pick(rand, SHIPPING_METHODS);
  data.order_shipping_addresses.push({
    id: addressId,
    order_id: spec.id,
    first_name: place.first_name,
    last_name: place.last_name,
    company: "",
    street_1: place.street_1,
    street_2: "",
    city: place.city,
    zip: place.zip,
    country: place.country,
    country_iso2: place.country_iso2,
    state: place.state,
    email,
    phone: place.phone,
    items_total: items,
    items_shipped: shipped ? items : 0,
    shipping_method: method,
    base_cost: money4(shipping),
    cost_ex_tax: money4(shipping),
    cost_inc_tax: money4(shipping),
    cost_tax: "0.0000",
    cost_tax_class_id: 2,
    base_handling_cost: "0.0000",
    handling_cost_ex_tax: "0.0000",
    handling_cost_inc_tax: "0.0000",
    handling_cost_tax: "0.0000",
    handling_cost_tax_class_id: 2,
    shipping_zone_id: 1,
    shipping_zone_name: place.country,
    form_fields: [],
  });
  if (spec.coupon) {
    data.order_coupons.push({
      id: data.order_coupons.length + 1,
      coupon_id: spec.coupon.id,
      order_id: spec.id,
      code: spec.coupon.code,
      amount: money4(discount),
      type: 2,
      discount,
    });
  }
  if (spec.fee) {
    data.order_fees.push({
      id: data.order_fees.length + 1,
      order_id: spec.id,
      type: "custom_fee",
      display_name_customer: "Gift wrap",
      display_name_merchant: "Gift wrap fee",
      source: "API",
      base_cost: money4(feeCost),
      cost_ex_tax: money4(feeCost),
      cost_inc_tax: money4(feeCost),
      cost_tax: "0.0000",
      tax_class_id: null,
    });
  }
  const paid = spec.statusId !== 0 && spec.statusId !== 6 && spec.statusId !== 7;
  const refunded = spec.statusId === 4 ? total : spec.statusId === 14 ? round2(total / 3) : 0;
  data.orders.push({
    id: spec.id,
    customer_id: spec.customer?.id ?? 0,
    date_created: rfc2822(spec.created),
    date_modified: rfc2822(spec.modified),
    date_shipped: shipped ? rfc2822(spec.modified) : "",
    status_id: spec.statusId,
    status: statusName(spec.statusId),
    subtotal_ex_tax: money4(subtotal),
    subtotal_inc_tax: money4(subtotal),
    subtotal_tax: "0.0000",
    base_shipping_cost: money4(shipping),
    shipping_cost_ex_tax: money4(shipping),
    shipping_cost_inc_tax: money4(shipping),
    shipping_cost_tax: "0.0000",
    shipping_cost_tax_class_id: 2,
    base_handling_cost: "0.0000",
    handling_cost_ex_tax: "0.0000",
    handling_cost_inc_tax: "0.0000",
    handling_cost_tax: "0.0000",
    handling_cost_tax_class_id: 2,
    base_wrapping_cost: "0.0000",
    wrapping_cost_ex_tax: "0.0000",
    wrapping_cost_inc_tax: "0.0000",
    wrapping_cost_tax: "0.0000",
    wrapping_cost_tax_class_id: 3,
    total_ex_tax: money4(total),
    total_inc_tax: money4(total),
    total_tax: "0.0000",
    items_total: items,
    items_shipped: shipped ? items : 0,
    payment_method: paid ? "Credit Card" : "",
    payment_provider_id: paid ? hexString(rand, 12) : "",
    payment_status:
      spec.statusId === 4 ? "refunded" : spec.statusId === 14 ? "partially refunded" : paid ? "captured" : "",
    refunded_amount: money4(refunded),
    order_is_digital: false,
    store_credit_amount: "0.0000",
    gift_certificate_amount: "0.0000",
    ip_address: `203.0.113.${int(rand, 1, 254)}`,
    ip_address_v6: "",
    geoip_country: place.country,
    geoip_country_iso2: place.country_iso2,
    currency_id: 1,
    currency_code: "USD",
    currency_exchange_rate: "1.0000000000",
    default_currency_id: 1,
    default_currency_code: "USD",
    staff_notes: "",
    customer_message: chance(rand, 0.05) ? "Please leave at the door — merci!" : "",
    discount_amount: money4(discount),
    coupon_discount: money4(discount),
    shipping_address_count: 1,
    is_deleted: false,
    ebay_order_id: "0",
    cart_id: uuid(rand),
    billing_address: billing,
    is_email_opt_in: chance(rand, 0.4),
    credit_card_type: null,
    order_source: "www",
    channel_id: spec.channelId,
    external_source: null,
    external_id: null,
    external_merchant_id: null,
    tax_provider_id: "BasicTaxProvider",
    customer_locale: "en",
    external_order_id: "",
    store_default_currency_code: "USD",
    store_default_to_transactional_exchange_rate: "1.0000000000",
    custom_status: statusName(spec.statusId),
    is_tax_inclusive_pricing: false,
  });
  if (paid) {
    data.order_transactions.push(
      transaction(rand, data.order_transactions.length + 1, spec.id, total, spec.created),
    );
    if (refunded > 0) {
      const refund = transaction(rand, data.order_transactions.length + 1, spec.id, refunded, spec.modified);
      refund.event = "refund";
      data.order_transactions.push(refund);
    }
  }
  if (chance(rand, 0.03)) {
    data.order_metafields.push({
      id: data.order_metafields.length + 1,
      resource_id: spec.id,
      resource_type: "order",
      key: "erp_reference",
      value: `ERP-${code(rand, 8)}`,
      namespace: "erp",
      permission_set: "app_only",
      description: "Reference in the ERP",
      date_created: iso(spec.created),
      date_modified: iso(spec.created),
      owner_client_id: "erp-connector",
    });
  }
}

function guestPlace(rand: Rand) {
  const p = pick(rand, PLACES);
  return {
    first_name: pick(rand, FIRST_NAMES),
    last_name: pick(rand, LAST_NAMES),
    street_1: `${int(rand, 1, 999)} ${pick(rand, STREETS)}`,
    city: p.city,
    state: p.state,
    zip: p.zip,
    country: p.country,
    country_iso2: p.country_iso2,
    phone: p.phone,
  };
}

/**
 * What is stored per line item (150,000 of them in rs-10k): the fields that vary. `expandLine` renders
 * BigCommerce's full line item shape at read time.
 */
export interface StoredLine {
  id: number;
  order_id: number;
  product_id: number;
  variant_id: number;
  order_address_id: number;
  name: string;
  sku: string;
  brand: string;
  weight: number;
  price_ex_tax: number;
  price_inc_tax: number;
  quantity: number;
  quantity_shipped: number;
}

export function storedLine(
  id: number,
  orderId: number,
  addressId: number,
  variant: Pick<VariantRef, "id" | "product_id" | "sku" | "product_name" | "brand_name" | "weight">,
  quantity: number,
  price: number,
  shipped: boolean,
): StoredLine {
  return {
    id,
    order_id: orderId,
    product_id: variant.product_id,
    variant_id: variant.id,
    order_address_id: addressId,
    name: variant.product_name,
    sku: variant.sku,
    brand: variant.brand_name ?? "",
    weight: variant.weight ?? 1,
    price_ex_tax: price,
    price_inc_tax: price,
    quantity,
    quantity_shipped: shipped ? quantity : 0,
  };
}

const ZERO = "0.0000";

export function expandLine(line: StoredLine): OrderProduct {
  const inc = money4(line.price_inc_tax);
  const ex = line.price_ex_tax === line.price_inc_tax ? inc : money4(line.price_ex_tax);
  const totalInc = money4(line.price_inc_tax * line.quantity);
  const totalEx =
    line.price_ex_tax === line.price_inc_tax ? totalInc : money4(line.price_ex_tax * line.quantity);
  const tax = money4(line.price_inc_tax - line.price_ex_tax);
  return {
    id: line.id,
    order_id: line.order_id,
    product_id: line.product_id,
    variant_id: line.variant_id,
    order_pickup_method_id: 0,
    order_address_id: line.order_address_id,
    name: line.name,
    name_customer: line.name,
    name_merchant: line.name,
    sku: line.sku,
    upc: "",
    type: "physical",
    base_price: ex,
    price_ex_tax: ex,
    price_inc_tax: inc,
    price_tax: tax,
    base_total: totalEx,
    total_ex_tax: totalEx,
    total_inc_tax: totalInc,
    total_tax: money4((line.price_inc_tax - line.price_ex_tax) * line.quantity),
    weight: line.weight.toFixed(4),
    width: ZERO,
    height: ZERO,
    depth: ZERO,
    quantity: line.quantity,
    base_cost_price: ZERO,
    cost_price_inc_tax: ZERO,
    cost_price_ex_tax: ZERO,
    cost_price_tax: ZERO,
    is_refunded: false,
    quantity_refunded: 0,
    refund_amount: ZERO,
    return_id: 0,
    wrapping_id: 0,
    wrapping_name: null,
    base_wrapping_cost: ZERO,
    wrapping_cost_ex_tax: ZERO,
    wrapping_cost_inc_tax: ZERO,
    wrapping_cost_tax: ZERO,
    wrapping_message: "",
    quantity_shipped: line.quantity_shipped,
    event_name: null,
    event_date: null,
    fixed_shipping_cost: ZERO,
    ebay_item_id: "",
    ebay_transaction_id: "",
    option_set_id: null,
    parent_order_product_id: null,
    is_bundled_product: false,
    bin_picking_number: "",
    external_id: null,
    brand: line.brand,
    gift_certificate_id: null,
    discounted_total_inc_tax: totalInc,
    applied_discounts: [],
    product_options: [],
    configurable_fields: [],
  };
}

// Shared by every seeded transaction: transactions are read-only, so one object serves them all.
const AVS_MATCH = {
  code: "M",
  message: "Street address and postal code match",
  street_match: "M",
  postal_match: "M",
};
const CVV_MATCH = { code: "M", message: "CVV matches" };

export function transaction(
  rand: Rand,
  id: number,
  orderId: number,
  amount: number,
  when: number,
): OrderTransaction {
  return {
    id,
    order_id: String(orderId),
    event: "purchase",
    method: "credit_card",
    amount,
    currency: "USD",
    gateway: "braintree",
    gateway_transaction_id: hexString(rand, 10),
    date_created: iso(when),
    test: false,
    status: "ok",
    fraud_review: false,
    offline: null,
    custom: null,
    payment_method_id: "braintree.card",
    payment_instrument_token: null,
    provider_instrument_token: null,
    provider_customer_id: null,
    avs_result: AVS_MATCH,
    cvv_result: CVV_MATCH,
    credit_card: {
      card_type: pick(rand, ["visa", "master", "american_express"]),
      card_iin: "411111",
      card_last4: String(int(rand, 1000, 9999)),
      card_expiry_month: int(rand, 1, 12),
      card_expiry_year: 2028,
    },
    gift_certificate: null,
    store_credit: null,
  };
}
