import { channelsModule } from "./channels.ts";
import { contentModule } from "./content.ts";
import { customersModule } from "./customers.ts";
import { inventoryModule } from "./inventory.ts";
import { marketingModule } from "./marketing.ts";
import type { ResourceModule } from "./module.ts";
import { ordersModule } from "./orders.ts";
import { priceListsModule } from "./price-lists.ts";
import { settingsModule } from "./settings.ts";
import { themesModule } from "./themes.ts";

/** Every non-catalog content type, in mount order. */
export const storeContentModules: ResourceModule[] = [
  channelsModule,
  settingsModule,
  customersModule,
  inventoryModule,
  priceListsModule,
  ordersModule,
  marketingModule,
  contentModule,
  themesModule,
];
