import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { claimDuePage, DUE_PAGE, duePages } from "../worker/backup/due-backups";
import type { BackupMessage } from "../worker/backup/schedule";

const HOUR = 3_600_000;
// 2026-11-20 02:00 UTC: the stores' daily backup hour (UTC, hour 2) came due an hour before `now`.
const DUE_AT = Date.UTC(2026, 10, 20, 2);
const NOW = DUE_AT + HOUR;

async function insertStores(
  rows: { hash: string; status: "installed" | "uninstalled"; next: number | null }[],
) {
  for (let i = 0; i < rows.length; i += 500) {
    await env.DB.prepare(
      `insert into stores (hash, status, scope, installed_at, plan, backup_hour, timezone, next_backup_at)
       select j->>'$[0]', j->>'$[1]', 'all', 0, 'standard', 2, 'UTC', j->>'$[2]' from (select value as j from json_each(?))`,
    )
      .bind(JSON.stringify(rows.slice(i, i + 500).map((r) => [r.hash, r.status, r.next])))
      .run();
  }
}

describe("hourly cron fan-out through the queue", () => {
  it("gives each of 1,200 due stores one scheduled backup, once, however often a page is delivered", async () => {
    const due = Array.from({ length: 1200 }, (_, i) => `due${String(i).padStart(5, "0")}`);
    await insertStores([
      ...due.map((hash) => ({ hash, status: "installed" as const, next: DUE_AT })),
      ...Array.from({ length: 40 }, (_, i) => ({
        hash: `later${i}`,
        status: "installed" as const,
        next: NOW + HOUR,
      })),
      ...Array.from({ length: 30 }, (_, i) => ({
        hash: `gone${i}`,
        status: "uninstalled" as const,
        next: DUE_AT,
      })),
    ]);

    const pages = await duePages(env, NOW);
    expect(pages.length).toBe(1200 / DUE_PAGE);
    expect(pages.flat().sort()).toEqual(due);

    const sent: BackupMessage[] = [];
    for (const stores of pages) {
      const page = { kind: "backup-due" as const, at: NOW, stores };
      sent.push(...(await claimDuePage(env, page)).messages);
      // The queue delivers at least once: a redelivered page claims nothing again.
      expect((await claimDuePage(env, page)).messages).toEqual([]);
    }
    const perStore = new Map<string, number>();
    for (const m of sent) perStore.set(m.store, (perStore.get(m.store) ?? 0) + 1);
    expect([...perStore.keys()].sort()).toEqual(due);
    expect([...perStore.values()].every((n) => n === 1)).toBe(true);
    for (const m of sent) {
      expect(m).toMatchObject({ kind: "backup", backupKind: "scheduled" });
      expect((m as { types: string[] }).types.length).toBeGreaterThan(0);
    }

    // Every claimed store now waits for tomorrow's 02:00; the next cron run finds none of them.
    const next = await env.DB.prepare(
      "select min(next_backup_at) as lo, max(next_backup_at) as hi from stores where hash like 'due%'",
    ).first<{ lo: number; hi: number }>();
    expect(next).toEqual({ lo: DUE_AT + 24 * HOUR, hi: DUE_AT + 24 * HOUR });
    expect(await duePages(env, NOW + 60_000)).toEqual([]);
  });

  it("gives a store without a backup time one, without starting a backup", async () => {
    await insertStores([{ hash: "fresh0", status: "installed", next: null }]);
    const [page] = await duePages(env, NOW);
    expect(page).toEqual(["fresh0"]);
    const { messages, claims } = await claimDuePage(env, { kind: "backup-due", at: NOW, stores: page });
    expect(messages).toEqual([]);
    expect(claims.map((c) => c.to)).toEqual([DUE_AT + 24 * HOUR]);
  });
});
