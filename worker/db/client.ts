import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

/** A drizzle handle for this request or job; never a module singleton (bindings are per invocation). */
export function getDb(env: Pick<Env, "DB">) {
  return drizzle(env.DB, { schema });
}

export type Db = ReturnType<typeof getDb>;
