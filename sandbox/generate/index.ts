import { catalogGenerator } from "./catalog.ts";
import type { Generator } from "./context.ts";
import { storeContentGenerators } from "./store-content.ts";

/**
 * Seed-data generators, run in this order when a store is created (later ones may reference earlier
 * data, e.g. orders reference products and customers). Add one line per `sandbox/generate/<type>.ts`.
 */
export const generators: Generator[] = [catalogGenerator, ...storeContentGenerators];
