/**
 * Peak memory of an export inside workerd's isolate, through the V8 inspector: runs the export
 * benchmark with workerd's inspector open (vitest's `--inspect`, which the workers pool passes to
 * miniflare as `inspectorPort`), attaches to the isolate that runs the worker, its Durable Objects and
 * the bench (workerd lists it at `/json` as `core:user:<runner worker>`), and every 25 ms asks
 * `Runtime.getHeapUsage`: V8's used heap, the embedder's (cppgc) heap and the backing stores of
 * ArrayBuffers and external strings. Every second (HEAP_GC_MS) it also forces a full collection
 * (`HeapProfiler.collectGarbage`) and samples right after it: the live set, without the garbage V8 has
 * not collected yet. Before each export the bench waits (VITE_EXPORT_SETTLE_MS, set here) while this
 * collects garbage and takes the baseline.
 *
 * Per export it reports the baseline, the peak of used heap + embedder heap + backing stores (an upper
 * bound: it holds garbage), the peak right after a forced collection (the live set) and the export's
 * share of each (minus the baseline). The R2/D1 emulation runs in other isolates and is not counted;
 * memory workerd holds in C++ (request bodies in flight, native zlib state) is not counted either.
 * The forced collections slow the run down: time it with bench/export-rss.ts instead.
 *
 *   VITE_EXPORT_RUNS=3 flock /tmp/heavy.lock npx tsx bench/export-heap.ts bench/export.bench.test.ts
 */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { freePort } from "../test/support/free-port";
import { onMarkedLines } from "./child-lines";

type Usage = {
  usedSize: number;
  totalSize: number;
  embedderHeapUsedSize?: number;
  backingStorageSize?: number;
};
type Sample = { at: number; bytes: number; heap: number; buffers: number; afterGc: boolean };

const MB = 1024 * 1024;
const SAMPLE_MS = 25;
/** EXPORT_CPU_PROFILE=dir: also a CPU profile of the isolate per export (from its "prepare" to its end). */
const PROFILE_DIR = process.env.EXPORT_CPU_PROFILE;
const GC_MS = Number(process.env.HEAP_GC_MS ?? (PROFILE_DIR ? 0 : 1000));

/** A minimal CDP client: numbered requests, answered in order of their ids. */
function cdp(ws: WebSocket) {
  let next = 1;
  const waiting = new Map<number, (v: { result?: unknown; error?: { message: string } }) => void>();
  ws.addEventListener("message", (ev) => {
    const msg = JSON.parse(String(ev.data)) as { id?: number; result?: unknown; error?: { message: string } };
    if (msg.id !== undefined) {
      waiting.get(msg.id)?.(msg);
      waiting.delete(msg.id);
    }
  });
  // When workerd goes away its socket closes without answering: the requests in flight fail.
  const fail = () => {
    for (const answer of waiting.values()) answer({ error: { message: "inspector closed" } });
    waiting.clear();
  };
  ws.addEventListener("close", fail);
  ws.addEventListener("error", fail);
  return async <T>(method: string, params: Record<string, unknown> = {}): Promise<T> => {
    if (ws.readyState !== WebSocket.OPEN) throw new Error(`${method}: inspector closed`);
    const id = next++;
    const answer = new Promise<{ result?: unknown; error?: { message: string } }>((r) => waiting.set(id, r));
    ws.send(JSON.stringify({ id, method, params }));
    const msg = await answer;
    if (msg.error) throw new Error(`${method}: ${msg.error.message}`);
    return msg.result as T;
  };
}

async function attach(port: number, stop: () => boolean): Promise<WebSocket | null> {
  while (!stop()) {
    try {
      const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as { id: string }[];
      const runner = targets.find((t) => t.id.startsWith("core:user:vitest-pool-workers-runner"));
      if (runner) {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/${runner.id}`);
        await new Promise((resolve, reject) => {
          ws.addEventListener("open", resolve, { once: true });
          ws.addEventListener("error", reject, { once: true });
        });
        console.error(
          `export-heap: attached to ${runner.id} (targets: ${targets.map((t) => t.id).join(", ")})`,
        );
        return ws;
      }
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  return null;
}

async function main() {
  const port = await freePort();
  const child = spawn(
    "npx",
    [
      "vitest",
      "run",
      "--project",
      "bench",
      "--no-file-parallelism",
      `--inspect=127.0.0.1:${port}`,
      ...process.argv.slice(2),
    ],
    {
      env: {
        ...process.env,
        STRONGBOX_BENCH: "1",
        VITE_EXPORT_SETTLE_MS: process.env.VITE_EXPORT_SETTLE_MS ?? "2500",
      },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let closed = false;
  const exited: Promise<number> = new Promise((resolve) =>
    child.on("close", (c) => {
      closed = true;
      resolve(c ?? 1);
    }),
  );

  const samples: Sample[] = [];
  const baselines = new Map<string, Sample>();
  let pendingBaseline: string | null = null;
  let pendingProfileEnd: string | null = null;

  const usage = async (send: ReturnType<typeof cdp>, afterGc: boolean): Promise<Sample> => {
    const u = await send<Usage>("Runtime.getHeapUsage");
    const heap = u.usedSize + (u.embedderHeapUsedSize ?? 0);
    const buffers = u.backingStorageSize ?? 0;
    return { at: Date.now(), bytes: heap + buffers, heap, buffers, afterGc };
  };

  const windows = new Map<string, { start?: number; end?: number }>();
  onMarkedLines<{ name: string; edge: "prepare" | "start" | "end"; at: number }>(
    child.stdout,
    "EXPORT_WINDOW",
    (m) => {
      if (m.edge === "prepare") pendingBaseline = m.name;
      else windows.set(m.name, { ...windows.get(m.name), [m.edge]: m.at });
      if (m.edge === "end" && PROFILE_DIR) pendingProfileEnd = m.name;
    },
  );

  const ws = await attach(port, () => closed);
  if (ws) {
    const send = cdp(ws);
    let lastGc = Date.now();
    // One request in flight at a time: the isolate answers between its tasks, so a long task delays
    // the next sample rather than queueing many.
    while (!closed) {
      const t0 = Date.now();
      try {
        if (pendingBaseline) {
          const name = pendingBaseline;
          pendingBaseline = null;
          await send("HeapProfiler.collectGarbage");
          baselines.set(name, await usage(send, true));
          lastGc = Date.now();
          if (PROFILE_DIR) {
            await send("Profiler.enable");
            await send("Profiler.setSamplingInterval", { interval: 500 });
            await send("Profiler.start");
          }
        } else if (pendingProfileEnd) {
          const name = pendingProfileEnd;
          pendingProfileEnd = null;
          const { profile } = await send<{ profile: unknown }>("Profiler.stop");
          mkdirSync(PROFILE_DIR as string, { recursive: true });
          writeFileSync(`${PROFILE_DIR}/${name}.cpuprofile`, JSON.stringify(profile));
          console.error(`export-heap: CPU profile of ${name} in ${PROFILE_DIR}/${name}.cpuprofile`);
        } else if (GC_MS > 0 && t0 - lastGc >= GC_MS) {
          await send("HeapProfiler.collectGarbage");
          lastGc = Date.now();
        }
        samples.push(await usage(send, lastGc >= t0));
      } catch (err) {
        if (!closed) console.error(`export-heap: ${(err as Error).message}`);
        break;
      }
      await new Promise((r) => setTimeout(r, Math.max(0, SAMPLE_MS - (Date.now() - t0))));
    }
  } else {
    console.error("export-heap: no isolate to attach to");
  }

  const code = await exited;
  const mb = (n: number) => Math.round((n / MB) * 10) / 10;
  console.log(
    "\nworkerd isolate memory per export (MB): baseline after GC; peak used heap + embedder heap + backing stores (with garbage); peak right after a forced GC (live set)",
  );
  for (const [name, { start, end }] of windows) {
    if (!start || !end) continue;
    const base = baselines.get(name);
    const during = samples.filter((s) => s.at >= start && s.at <= end);
    const live = during.filter((s) => s.afterGc);
    const peak = during.reduce<Sample | null>((a, s) => (!a || s.bytes > a.bytes ? s : a), null);
    const peakLive = live.reduce<Sample | null>((a, s) => (!a || s.bytes > a.bytes ? s : a), null);
    const baseBytes = base?.bytes ?? 0;
    console.log(
      `EXPORT_HEAP ${JSON.stringify({
        name,
        samples: during.length,
        gcSamples: live.length,
        maxGapMs: Math.max(0, ...during.slice(1).map((s, i) => s.at - during[i].at)),
        baselineMB: mb(baseBytes),
        baselineHeapMB: mb(base?.heap ?? 0),
        baselineBuffersMB: mb(base?.buffers ?? 0),
        baselineTakenBeforeStart: base ? base.at <= start : false,
        peakMB: mb(peak?.bytes ?? 0),
        peakHeapMB: mb(peak?.heap ?? 0),
        peakBuffersMB: mb(peak?.buffers ?? 0),
        peakMaxBuffersMB: mb(Math.max(0, ...during.map((s) => s.buffers))),
        exportPeakMB: mb((peak?.bytes ?? 0) - baseBytes),
        liveMB: mb(peakLive?.bytes ?? 0),
        liveHeapMB: mb(peakLive?.heap ?? 0),
        liveBuffersMB: mb(peakLive?.buffers ?? 0),
        exportLiveMB: mb((peakLive?.bytes ?? 0) - baseBytes),
      })}`,
    );
  }
  process.exit(code);
}

if (typeof WebSocket === "undefined") {
  // Node 20 has WebSocket behind a flag: run this script again with it.
  const again = spawn(
    process.execPath,
    ["--experimental-websocket", ...process.execArgv, ...process.argv.slice(1)],
    {
      stdio: "inherit",
    },
  );
  again.on("close", (c) => process.exit(c ?? 1));
} else {
  await main();
}
