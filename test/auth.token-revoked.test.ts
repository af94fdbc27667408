import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ACCESS_REVOKED } from "../worker/jobs/store-jobs";
import { installViaOAuth, sandbox } from "./support/install";
import { jobsOf, waitForJob } from "./support/stores";

describe("when BigCommerce has revoked the store's token", () => {
  it("says so on the item page, still serves every version as JSON, and a restore stops at once with the reason", async () => {
    const s = await installViaOAuth("demo", 71);
    const started = await jobsOf(s.storeHash).startBackup({ kind: "manual", types: ["brands"] });
    expect(started.started).toBe(true);
    expect((await waitForJob(s.storeHash)).status).toBe("done");
    const brand = await env.DB.prepare(
      "select r.record_id, v.id as version_id from records r join versions v on v.store_hash = r.store_hash and v.type = r.type and v.record_id = r.record_id where r.store_hash = ? and r.type = 'brands' limit 1",
    )
      .bind(s.storeHash)
      .first<{ record_id: string; version_id: number }>();

    // The sandbox revokes the token; the uninstall callback has not reached the app (yet).
    await sandbox(`/__sandbox/stores/${s.storeHash}/uninstall`, { method: "POST", json: {} });

    const live = await s.api(`/api/vault/items/brands/${brand!.record_id}/live`);
    expect(live.status).toBe(409);
    const error = (await live.json<{ error: { code: string; message: string } }>()).error;
    expect(error.code).toBe("token_revoked");
    expect(error.message).toContain("no longer accepts");
    expect(error.message).toContain("downloaded as JSON");

    const version = await s.api(`/api/vault/items/brands/${brand!.record_id}/versions/${brand!.version_id}`);
    expect(version.status).toBe(200);
    expect(JSON.stringify(await version.json())).toContain(brand!.record_id);

    const restore = await s.api(`/api/vault/items/brands/${brand!.record_id}/restore`, {
      method: "POST",
      json: { versionId: brand!.version_id },
    });
    expect(restore.status).toBe(202);
    const { restoreId } = await restore.json<{ restoreId: string }>();
    await waitForJob(s.storeHash);
    const result = await (await s.api(`/api/restores/${restoreId}`)).json<{
      items: { status: string; message: string | null }[];
    }>();
    // Nothing was written, and the item says why in the merchant's words.
    expect(result.items).toHaveLength(1);
    expect(result.items[0].status).toBe("error");
    expect(result.items[0].message).toContain(ACCESS_REVOKED);
  });
});
