import type { Hono } from "hono";
import type { ResourceDef, RouteApi } from "../engine/collection.ts";
import type { SandboxState } from "../engine/context.ts";

/**
 * What a content-type file exports: its declarative resources and, when needed, hand-written routes
 * (registered before the generic ones, so fixed paths such as `/catalog/products/metafields` win).
 */
export interface ResourceModule {
  name: string;
  resources: ResourceDef[];
  routes?: (api: RouteApi) => void;
  /** Routes outside the store API (no token, no quota), e.g. the short-lived theme download links. */
  publicRoutes?: (app: Hono, state: SandboxState) => void;
}
