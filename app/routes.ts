import type { RouteDefinition } from "@solidjs/router";
import { lazy } from "solid-js";

/**
 * Every page is its own chunk, loaded when first opened. Area layouts (Backup Vault, Export) hold the
 * heading and the route-linked tabs; their children are the tabs' pages.
 */
export const routes: RouteDefinition[] = [
  { path: "/", component: lazy(() => import("./pages/discovery")) },
  {
    path: "/vault",
    component: lazy(() => import("./pages/vault-layout")),
    children: [
      { path: "/", component: lazy(() => import("./pages/backup-vault")) },
      { path: "/recovery", component: lazy(() => import("./pages/bulk-recovery")) },
      { path: "/recovery/history", component: lazy(() => import("./pages/recovery-history")) },
      { path: "/recovery/restores/:id", component: lazy(() => import("./pages/recovery-process")) },
      { path: "/types/:type", component: lazy(() => import("./pages/vault-type-items")) },
      { path: "/items/:type/:id", component: lazy(() => import("./pages/vault-item")) },
    ],
  },
  {
    path: "/export",
    component: lazy(() => import("./pages/export-layout")),
    children: [
      { path: "/", component: lazy(() => import("./pages/quick-export")) },
      { path: "/schedule", component: lazy(() => import("./pages/schedule-export")) },
      { path: "/history", component: lazy(() => import("./pages/export-history")) },
    ],
  },
  { path: "/pricing", component: lazy(() => import("./pages/pricing")) },
  { path: "/help", component: lazy(() => import("./pages/knowledge-base")) },
  { path: "/help/:topic", component: lazy(() => import("./pages/knowledge-base-topic")) },
  { path: "/settings", component: lazy(() => import("./pages/settings")) },
  { path: "*", component: lazy(() => import("./pages/not-found")) },
];
