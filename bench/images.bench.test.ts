/**
 * Image files (issue #10): the first backup of rs-10k's catalog with its image files, then a second
 * backup of the unchanged catalog (goal: no image downloaded). The real worker runs it (StoreJobs
 * Durable Object, D1, R2 in workerd) against the sandbox, whose CDN serves a small generated JPEG per
 * image URL; the quota is unlimited, so times are our own work plus the sandbox's.
 *
 * `npm run bench -- images`
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { installViaOAuth, sandbox } from "../test/support/install";
import { jobsOf, sandboxAdmin } from "../test/support/stores";
import { type BenchResult, report, round } from "./support";

const CATALOG = ["products", "brands", "categories", "category_trees"];
let storeHash = "";

type Stats = Record<string, unknown>;
const stats = () => sandboxAdmin<Stats>(`/stores/${storeHash}/stats`);
const resetStats = () => sandboxAdmin(`/stores/${storeHash}/stats`, { method: "DELETE" });

/** A catalog backup, timed as a whole and from the moment every type is listed (the image phase) to the end. */
async function timedBackup() {
  await resetStats();
  const t0 = performance.now();
  const started = await jobsOf(storeHash).startBackup({ kind: "manual", types: CATALOG });
  if (!started.started) throw new Error(`backup not started: ${started.message}`);
  let imagesFrom: number | null = null;
  for (;;) {
    const s = await jobsOf(storeHash).status();
    if (s?.status !== "running") {
      if (s?.status !== "done") throw new Error(`backup ${s?.status}: ${s?.error}`);
      break;
    }
    const listed = Object.values(s.progress.types).every(
      (p) => p.status === "done" || p.status === "unavailable",
    );
    if (listed && imagesFrom === null) imagesFrom = performance.now();
    await new Promise((r) => setTimeout(r, 200));
  }
  const end = performance.now();
  return { ms: end - t0, imageMs: imagesFrom === null ? 0 : end - imagesFrom, stats: await stats() };
}

async function held() {
  const q = (sql: string) => env.DB.prepare(sql).bind(storeHash).first<{ n: number; bytes: number }>();
  const files = await q(
    "select count(*) n, coalesce(sum(bytes), 0) bytes from image_files where store_hash = ?",
  );
  const sources = await q("select count(*) n, 0 bytes from image_sources where store_hash = ?");
  const links = await q(
    "select count(*) n, sum(complete = 0) bytes from version_images where store_hash = ?",
  );
  const refs = await q(
    "select count(*) n, 0 bytes from version_images l, json_each(l.images) where l.store_hash = ?",
  );
  return {
    files: files?.n ?? 0,
    bytes: files?.bytes ?? 0,
    sources: sources?.n ?? 0,
    links: links?.n ?? 0,
    incomplete: links?.bytes ?? 0,
    references: refs?.n ?? 0,
  };
}

/** Image URLs fetched since `since` that gave a file (a failed download writes nothing). */
const fetchedSince = async (since: number) =>
  (
    await env.DB.prepare("select count(*) n from image_sources where store_hash = ? and fetched_at >= ?")
      .bind(storeHash, since)
      .first<{ n: number }>()
  )?.n ?? 0;

/** The sandbox's CDN counters (requests that returned a file, their bytes). */
const cdn = (s: Stats) =>
  (s.cdn ?? { downloads: null, bytes: null }) as { downloads: number | null; bytes: number | null };

describe.sequential("image files on rs-10k", () => {
  it("backs up rs-10k's catalog with its image files, then an unchanged catalog downloads none", async () => {
    const session = await installViaOAuth("rs-10k", 10);
    storeHash = session.storeHash;
    await sandbox(`/__sandbox/stores/${storeHash}/quota`, { method: "PUT", json: { plan: "unlimited" } });

    const first = await timedBackup();
    const after1 = await held();
    const since2 = Date.now();
    const second = await timedBackup();
    const after2 = await held();
    const refetched = await fetchedSince(since2);

    const result: BenchResult = {
      name: "images",
      title: "Image files: first backup of rs-10k's catalog, then an unchanged second backup",
      scale: `rs-10k catalog (${CATALOG.join(", ")}): ${after1.references} image references`,
      figures: {
        imageFiles: after1.files,
        imageBytesStored: after1.bytes,
        imageSources: after1.sources,
        versionsLinked: after1.links,
        versionsWithAMissingFile: after1.incomplete,
        firstBackupSeconds: round(first.ms / 1000),
        firstBackupImagePhaseSeconds: round(first.imageMs / 1000),
        firstBackupCdnDownloads: cdn(first.stats).downloads,
        firstBackupCdnBytes: cdn(first.stats).bytes,
        secondBackupSeconds: round(second.ms / 1000),
        secondBackupImagePhaseSeconds: round(second.imageMs / 1000),
        secondBackupCdnDownloads: cdn(second.stats).downloads,
        secondBackupCdnBytes: cdn(second.stats).bytes,
        secondBackupUrlsFetched: refetched,
        secondBackupNewFiles: after2.files - after1.files,
      },
      goals: [
        {
          figure: "secondBackupUrlsFetched",
          goal: "0 (an unchanged catalog downloads nothing)",
          met: refetched === 0 && (cdn(second.stats).downloads ?? 0) === 0,
        },
      ],
      notes: [
        "one run; the sandbox runs in the vitest Node process on the shared 2-core machine",
        "image phase = from every type listed to the job's end (reads the new versions' bodies, downloads, R2 puts, D1 index)",
      ],
    };
    report(result);
    expect(after2.files).toBe(after1.files);
  });
});
