import type { ResourceDef, RouteApi } from "../engine/collection.ts";

/**
 * What a content-type file exports: its declarative resources and, when needed, hand-written routes
 * (registered before the generic ones, so fixed paths such as `/catalog/products/metafields` win).
 */
export interface ResourceModule {
  name: string;
  resources: ResourceDef[];
  routes?: (api: RouteApi) => void;
}
