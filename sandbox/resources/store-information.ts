import type { RouteApi } from "../engine/collection.ts";
import { defineResource, requireScope } from "../engine/collection.ts";
import { jsonResponse } from "../engine/http.ts";
import type { Store } from "../engine/store.ts";

/** The read-only `GET /v2/store` document, derived from the store's identity. */
export function storeInformation(store: Store) {
  const domain = `${store.hash}.sandbox.mybigcommerce.com`;
  return {
    id: store.hash,
    account_uuid: store.accountUuid,
    domain,
    secure_URL: `https://${domain}`,
    control_panel_base_url: `https://store-${store.hash}.mybigcommerce.com`,
    status: "live",
    name: store.name,
    first_name: "Sandbox",
    last_name: "Owner",
    address: "1 Sandbox Way\nAustin, TX 78701\nUnited States",
    country: "United States",
    country_code: "US",
    phone: "+1 512 555 0100",
    admin_email: store.owner.email,
    order_email: `orders@${store.hash}.example.com`,
    favicon_url: "",
    timezone: {
      name: "America/Chicago",
      raw_offset: -21600,
      dst_offset: -18000,
      date_format: { display: "M jS Y", export: "M jS Y", extended_display: "M jS Y @ g:i A" },
    },
    language: "en",
    currency: "USD",
    currency_symbol: "$",
    decimal_separator: ".",
    thousands_separator: ",",
    decimal_places: 2,
    currency_symbol_location: "left",
    weight_units: "LBS",
    dimension_units: "Inches",
    dimension_decimal_places: 2,
    dimension_decimal_token: ".",
    dimension_thousands_token: ",",
    plan_name: store.quota.quota === 450 ? "Pro" : store.quota.quota === null ? "Enterprise" : "Standard",
    plan_level: store.quota.quota === 450 ? "Pro" : store.quota.quota === null ? "Enterprise" : "Standard",
    plan_is_trial: false,
    industry: "Retail",
    logo: [],
    is_price_entered_with_tax: false,
    store_id: store.id,
    default_site_id: 1000,
    default_channel_id: 1,
    active_comparison_modules: [],
    features: {
      stencil_enabled: true,
      sitewidehttps_enabled: true,
      facebook_catalog_id: "",
      checkout_type: "optimized",
      wishlists_enabled: true,
      graphql_storefront_api_enabled: true,
      shopper_consent_tracking_enabled: false,
      multi_storefront_enabled: true,
      storefront_limits: { active: 3, total_including_inactive: 3 },
    },
  };
}

/** Route-only resource: `GET /v2/store` (scope store_v2_information). */
export const storeInfoScope = defineResource({
  name: "store_information",
  version: "v2",
  path: "/store",
  scope: "store_v2_information",
  ops: [],
  defaults: {},
  noExport: true,
});

export function storeInformationRoutes(api: RouteApi): void {
  api.on("GET", "v2", "/store", (_c, ctx) => {
    requireScope(ctx, storeInfoScope, false);
    return jsonResponse(200, storeInformation(ctx.store));
  });
}
