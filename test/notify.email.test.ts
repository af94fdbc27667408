import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { dedupeEmails, isValidEmail, retryEmail, sendEmail } from "../worker/notify/email";
import { exportFailedEmail, exportReadyEmail, restoreFinishedEmail } from "../worker/notify/templates";

const outboxRow = (id: string) =>
  env.DB.prepare("select * from outbox where id = ?")
    .bind(id)
    .first<{ status: string; attempts: number; error: string | null; to: string }>();

describe("email module", () => {
  it("keeps emails in the outbox when no Resend key is set, and lists them on the dev page", async () => {
    const mail = exportReadyEmail({
      storeName: "Demo <Store>",
      kind: "manual",
      createdAt: Date.UTC(2026, 0, 5, 10),
      expiresAt: Date.UTC(2026, 0, 12, 10),
      timezone: "Europe/Paris",
      types: [{ label: "Products", count: 12 }],
      links: [{ name: "strongbox-x.zip", url: "http://app.test/downloads/abc", size: 2048 }],
      historyUrl: "http://app.test/export/history",
    });
    const res = await sendEmail(env, {
      storeHash: "notifystore",
      kind: "export_ready",
      to: ["a@example.com", "A@example.com", "b@example.com"],
      ...mail,
    });
    expect(res.status).toBe("outbox");
    const row = await outboxRow(res.id);
    expect(row?.status).toBe("outbox");
    expect(JSON.parse(row?.to ?? "[]")).toEqual(["a@example.com", "b@example.com"]);

    // Values are escaped, links and the expiry date (store timezone) are in both versions.
    expect(mail.html).toContain("Demo &lt;Store&gt;");
    expect(mail.html).toContain("http://app.test/downloads/abc");
    expect(mail.text).toContain("http://app.test/downloads/abc");
    expect(mail.text).toContain("Jan 12, 2026");
    expect(mail.text).toContain("Products: 12 items");

    const json = await exports.default.fetch("http://app.test/__dev/outbox.json?store=notifystore");
    expect(json.status).toBe(200);
    const body = await json.json<{ emails: { id: string; subject: string; to: string[] }[] }>();
    expect(body.emails.map((e) => e.id)).toContain(res.id);
    const html = await exports.default.fetch("http://app.test/__dev/outbox");
    expect(html.status).toBe(200);
    expect(await html.text()).toContain(mail.subject.replace(/</g, "&lt;").replace(/>/g, "&gt;"));
  });

  it("hides the dev pages unless DEV_PAGES is 1", async () => {
    const { devRoutes } = await import("../worker/notify/dev-routes");
    const res = await devRoutes.fetch(new Request("http://app.test/outbox.json"), { ...env, DEV_PAGES: "0" });
    expect(res.status).toBe(404);
  });

  it("never fails the caller when Resend is unreachable: the email is queued for a retry", async () => {
    const mail = exportFailedEmail({
      storeName: "Demo",
      kind: "weekly",
      createdAt: Date.now(),
      reason: "BigCommerce answered 500",
      historyUrl: "http://app.test/export/history",
    });
    const withKey = { ...env, RESEND_API_KEY: "re_test_key" };
    const res = await sendEmail(withKey, {
      storeHash: "notifystore",
      kind: "export_failed",
      to: ["ops@example.com"],
      ...mail,
    });
    expect(res.status).toBe("queued");
    const row = await outboxRow(res.id);
    expect(row?.attempts).toBe(1);
    expect(row?.error).toMatch(/Resend answered 502/);

    // The queue's retry: still failing, attempts grow; the row is never lost.
    const again = await retryEmail(withKey, res.id);
    expect(again.status).toBe("queued");
    expect((await outboxRow(res.id))?.attempts).toBe(2);
  });

  it("renders the restore summary the bulk-recovery feature sends", () => {
    const mail = restoreFinishedEmail({
      storeName: "Demo",
      status: "done",
      kind: "bulk",
      targetAt: Date.UTC(2026, 0, 1),
      finishedAt: Date.UTC(2026, 0, 2),
      total: 10,
      succeeded: 9,
      errors: 1,
      types: [{ label: "Products", count: 10, errors: 1 }],
      detailUrl: "http://app.test/vault/recovery",
    });
    expect(mail.subject).toMatch(/finished with errors/);
    expect(mail.text).toContain("Items: 10, restored: 9, errors: 1");
  });

  it("validates and dedupes addresses", () => {
    expect(isValidEmail("name@example.com")).toBe(true);
    for (const bad of ["name", "name@", "@example.com", "na me@example.com", "name@example", "a@b@c.com"])
      expect(isValidEmail(bad)).toBe(false);
    expect(dedupeEmails([" a@x.com", "A@X.com", "b@x.com", ""])).toEqual(["a@x.com", "b@x.com"]);
  });
});
