import { catalog } from "./catalog.ts";
import { hooks } from "./hooks.ts";
import type { ResourceModule } from "./module.ts";
import { storeContentModules } from "./store-content.ts";
import { storeInformationRoutes, storeInfoScope } from "./store-information.ts";

/** Every content type the sandbox serves, in mount order. Add one line per `sandbox/resources/<type>.ts`. */
export const modules: ResourceModule[] = [
  { name: "webhooks", resources: [hooks] },
  { name: "store-information", resources: [storeInfoScope], routes: storeInformationRoutes },
  catalog,
  ...storeContentModules,
];
