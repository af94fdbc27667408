/** Channels, sites and routes (channels.v3.yml, sites.v3.yml). Channel 1 is the default storefront. */
import { iso } from "./content-kit.ts";

export interface Channel {
  id: number;
  external_id: string;
  is_listable_from_ui: boolean;
  is_enabled: boolean;
  is_visible: boolean;
  status:
    | "active"
    | "prelaunch"
    | "inactive"
    | "connected"
    | "disconnected"
    | "archived"
    | "deleted"
    | "terminated";
  name: string;
  type: "pos" | "marketplace" | "storefront" | "marketing";
  platform: string;
  date_created: string;
  date_modified: string;
  icon_url: string;
}

export interface SiteUrl {
  url: string;
  type: "primary" | "canonical" | "checkout";
  created_at: string;
  updated_at: string;
}

export interface Site {
  id: number;
  url: string;
  channel_id: number;
  created_at: string;
  updated_at: string;
  ssl_status: "dedicated" | "shared";
  urls: SiteUrl[];
  is_checkout_url_customized: boolean;
}

export interface Route {
  id: number;
  site_id: number;
  type:
    | "product"
    | "brand"
    | "category"
    | "page"
    | "blog"
    | "home"
    | "cart"
    | "checkout"
    | "search"
    | "account"
    | "login"
    | "returns"
    | "static";
  matching: string;
  route: string;
}

const DEFAULT_ROUTES: [Route["type"], string, string][] = [
  ["product", "*", "/{slug}/"],
  ["category", "*", "/{slug}/"],
  ["brand", "*", "/brands/{slug}/"],
  ["page", "*", "/{slug}/"],
  ["blog", "*", "/blog/{slug}/"],
  ["home", "", "/"],
  ["cart", "", "/cart.php"],
  ["checkout", "", "/checkout"],
  ["search", "", "/search.php"],
  ["account", "", "/account.php"],
  ["login", "", "/login.php"],
];

export function generateChannels(
  now: number,
  storeHash: string,
  extraChannels: number,
): { channels: Channel[]; sites: Site[]; routes: Route[] } {
  const created = iso(now - 730 * 86_400_000);
  const channels: Channel[] = [
    {
      id: 1,
      external_id: "",
      is_listable_from_ui: true,
      is_enabled: true,
      is_visible: true,
      status: "active",
      name: "Default storefront",
      type: "storefront",
      platform: "bigcommerce",
      date_created: created,
      date_modified: created,
      icon_url:
        "https://storage.googleapis.com/bigcommerce-production-dev-center/images/bigcommerce_icon.svg",
    },
  ];
  for (let i = 0; i < extraChannels; i++) {
    channels.push({
      id: 664_000 + i + 1,
      external_id: "",
      is_listable_from_ui: true,
      is_enabled: true,
      is_visible: true,
      status: i === 0 ? "prelaunch" : "connected",
      name: i === 0 ? "Boutique FR" : `Marketplace ${i}`,
      type: i === 0 ? "storefront" : "marketplace",
      platform: i === 0 ? "bigcommerce" : "amazon",
      date_created: created,
      date_modified: created,
      icon_url:
        "https://storage.googleapis.com/bigcommerce-production-dev-center/images/bigcommerce_icon.svg",
    });
  }
  const sites: Site[] = [];
  const routes: Route[] = [];
  for (const channel of channels) {
    if (channel.type !== "storefront") continue;
    const id = sites.length + 1000;
    const url =
      channel.id === 1
        ? `https://store-${storeHash}.mybigcommerce.com`
        : `https://fr.store-${storeHash}.example.com`;
    sites.push({
      id,
      url,
      channel_id: channel.id,
      created_at: created,
      updated_at: created,
      ssl_status: "shared",
      urls: [
        { url, type: "primary", created_at: created, updated_at: created },
        { url, type: "canonical", created_at: created, updated_at: created },
        {
          url: `https://store-${storeHash}.mybigcommerce.com`,
          type: "checkout",
          created_at: created,
          updated_at: created,
        },
      ],
      is_checkout_url_customized: false,
    });
    for (const [type, matching, route] of DEFAULT_ROUTES) {
      routes.push({ id: routes.length + 1, site_id: id, type, matching, route });
    }
  }
  return { channels, sites, routes };
}
