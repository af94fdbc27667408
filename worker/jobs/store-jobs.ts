import { DurableObject } from "cloudflare:workers";

/**
 * One per store (named by store hash). Serializes the store's backup, restore and export jobs,
 * paces every BigCommerce call of the store against its quota, and carries long jobs across
 * invocations with alarms so a job survives eviction and never runs twice at once.
 */
export class StoreJobs extends DurableObject<Env> {
  async ping(): Promise<string> {
    return "ok";
  }
}
