/**
 * Store settings singletons (settings.v3.yml) and store information (store_information.v2.yml). Each
 * settings endpoint stores a global value plus optional per-channel overrides.
 */
export const SETTINGS_PATHS = [
  "catalog",
  "email-statuses",
  "inventory",
  "inventory/notifications",
  "logo",
  "search/filters",
  "store/locale",
  "store/profile",
  "storefront/category",
  "storefront/product",
  "storefront/robotstxt",
  "storefront/search",
  "storefront/security",
  "storefront/seo",
  "storefront/status",
  "store/units-of-measurement",
] as const;
export type SettingsPath = (typeof SETTINGS_PATHS)[number];

/** Settings whose endpoint takes `channel_id` (a channel override); the rest are store-wide. */
export const CHANNEL_SETTINGS: ReadonlySet<SettingsPath> = new Set([
  "catalog",
  "email-statuses",
  "inventory",
  "inventory/notifications",
  "logo",
  "search/filters",
  "store/locale",
  "store/profile",
  "storefront/category",
  "storefront/product",
  "storefront/robotstxt",
  "storefront/search",
  "storefront/security",
  "storefront/seo",
  "storefront/status",
]);

export interface AnalyticsProvider {
  id: number;
  channel_id: number;
  name: string;
  code: string;
  enabled: boolean;
  data_tag_enabled: boolean;
  version: number;
}

export function defaultSettings(storeName: string, storeHash: string): Record<SettingsPath, unknown> {
  return {
    catalog: { auto_approve_reviews: false, enable_product_comparisons: true },
    "email-statuses": {
      abandoned_cart_email: true,
      account_details_changed_email: true,
      combined_order_status_email: true,
      create_account_email: true,
      create_guest_account_email: true,
      gift_certificate_email: true,
      invoice_email: true,
      order_message_notification_email: true,
      product_review_email: false,
      return_confirmation_email: true,
      return_statuschange_email: true,
    },
    inventory: {
      product_out_of_stock_behavior: "do_nothing",
      option_out_of_stock_behavior: "label_option",
      update_stock_behavior: "order_placed",
      edit_order_stock_adjustment: true,
      refund_order_stock_adjustment: true,
      stock_level_display: "dont_show",
      default_out_of_stock_message: "Sold out",
      hide_in_product_filtering: false,
      show_pre_order_stock_levels: false,
      show_out_of_stock_message: true,
    },
    "inventory/notifications": {
      low_stock_notification_address: ["ops@example.com"],
      out_of_stock_notification_address: ["ops@example.com"],
    },
    logo: {
      favicon_url: `https://cdn11.bigcommerce.com/s-${storeHash}/product_images/favicon.ico`,
      logo_image_url: `https://cdn11.bigcommerce.com/s-${storeHash}/images/stencil/250x100/logo.png`,
      logo_text: storeName,
      type: "image",
    },
    "search/filters": [
      { id: "cHJpY2U=", type: "price", display_name: "Price", collapsed_by_default: false, is_enabled: true },
      {
        id: "YnJhbmQ=",
        type: "brand",
        display_name: "Brand",
        collapsed_by_default: false,
        display_product_count: true,
        is_enabled: true,
        items_to_show: 10,
        sort_by: "alpha",
      },
      {
        id: "cmF0aW5n",
        type: "rating",
        display_name: "Rating",
        collapsed_by_default: true,
        is_enabled: true,
      },
    ],
    "store/locale": {
      default_shopper_language: "en",
      shopper_language_selection_method: "default_shopper_language",
      store_country: "United States",
    },
    "store/profile": {
      store_name: storeName,
      store_address: "100 Commerce Way\nAustin, TX 78701",
      store_address_type: "Warehouse",
      store_email: "hello@example.com",
      store_phone: "+1 512 555 0100",
    },
    "storefront/category": {
      category_tree_depth: 3,
      default_product_sort: "featured",
      listing_mode: "current_category_only",
    },
    "storefront/product": {
      show_product_price: true,
      show_product_sku: true,
      show_product_weight: false,
      show_product_brand: true,
      show_product_shipping: true,
      show_product_rating: true,
      show_add_to_cart_link: true,
      default_preorder_message: "Pre-order now — ships %%DATE%%",
      show_breadcrumbs_product_pages: "show_one",
      show_add_to_cart_qty_box: true,
      show_add_to_wishlist: true,
      hide_price_from_guests: false,
    },
    "storefront/robotstxt": { robots_txt_ssl: "User-agent: *\nDisallow: /cart.php\nDisallow: /checkout\n" },
    "storefront/search": {
      content_product_sort: "relevance",
      default_product_sort: "relevance",
      product_filtering_enabled: true,
      search_suggest: true,
    },
    "storefront/security": {
      csp_header: { enabled: false, header_value: "" },
      hsts: { enabled: true, include_preload: false, include_subdomains: false, max_age: "five_minutes" },
      sitewide_https_enabled: true,
      x_frame_options_header: { allowed_url: "", enabled: true, setting: "same_origin" },
    },
    "storefront/seo": {
      meta_description: `${storeName} — handmade goods`,
      meta_keywords: "",
      page_title: storeName,
      www_redirect: "none",
    },
    "storefront/status": {
      down_for_maintenance_message: "Back soon.",
      prelaunch_message: "Opening soon.",
      prelaunch_password: "",
    },
    "store/units-of-measurement": {
      weight_measurement: "LBS",
      length_measurement: "Inches",
      decimal_token: ".",
      thousands_token: ",",
      decimal_places: 2,
      factoring_dimension: "depth",
    },
  };
}

export function defaultAnalytics(): AnalyticsProvider[] {
  return [
    {
      id: 1,
      channel_id: 1,
      name: "Google Analytics",
      code: "",
      enabled: false,
      data_tag_enabled: false,
      version: 4,
    },
    {
      id: 2,
      channel_id: 1,
      name: "Meta Pixel",
      code: "",
      enabled: false,
      data_tag_enabled: false,
      version: 1,
    },
  ];
}

export function storeInformation(storeHash: string, storeName: string, storeId: number) {
  return {
    id: storeHash,
    account_uuid: "5d3c1a4e-0f5b-4a8c-9e1a-3b6f2d7c8e90",
    domain: `store-${storeHash}.mybigcommerce.com`,
    secure_url: `https://store-${storeHash}.mybigcommerce.com`,
    control_panel_base_url: `https://store-${storeHash}.mybigcommerce.com`,
    status: "live",
    name: storeName,
    first_name: "Ana",
    last_name: "Costa",
    address: "100 Commerce Way\nAustin, TX 78701",
    country: "United States",
    country_code: "US",
    infrastructure_region: "us-central1",
    phone: "+1 512 555 0100",
    admin_email: "owner@example.com",
    order_email: "orders@example.com",
    favicon_url: `https://cdn11.bigcommerce.com/s-${storeHash}/product_images/favicon.ico`,
    timezone: {
      name: "America/Chicago",
      raw_offset: -21600,
      dst_offset: -18000,
      dst_correction: true,
      date_format: { display: "jS M Y", export: "M jS Y", extended_display: "M jS Y @ g:i A" },
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
    plan_name: "Standard",
    plan_level: "Standard",
    plan_is_trial: false,
    industry: "Apparel & Accessories",
    logo: { url: `https://cdn11.bigcommerce.com/s-${storeHash}/images/stencil/250x100/logo.png` },
    is_price_entered_with_tax: false,
    store_id: storeId,
    default_channel_id: 1,
    default_site_id: 1000,
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
      storefront_limits: { active: 1, total_including_inactive: 1 },
    },
  };
}
