import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

const open = (db: D1Database) => drizzle(db, { schema });

const handles = new WeakMap<D1Database, ReturnType<typeof open>>();

/**
 * A drizzle handle for this binding. Building one walks the whole schema's relations, so it is kept
 * per binding object (never a module singleton: bindings belong to the invocation that received them).
 */
export function getDb(env: Pick<Env, "DB">) {
  let handle = handles.get(env.DB);
  if (!handle) {
    handle = open(env.DB);
    handles.set(env.DB, handle);
  }
  return handle;
}

export type Db = ReturnType<typeof getDb>;
