/**
 * Peak memory of an export in workerd, measured from outside: runs the export benchmark and samples
 * the resident memory (VmRSS in /proc) of the workerd processes that this run started, every 50 ms.
 * For each export (the EXPORT_WINDOW markers bench/export-support.ts prints) it reports the RSS just
 * before the export started, the highest RSS while it ran, and their difference: an upper bound of
 * what the export added, since workerd's RSS also holds garbage V8 has not collected yet and memory
 * miniflare's storage layer and the test runner use meanwhile.
 *
 *   STRONGBOX_BENCH=1 npx tsx bench/export-rss.ts [vitest args...]
 *   e.g. STRONGBOX_BENCH=1 npx tsx bench/export-rss.ts bench/export.bench.test.ts -t "installs|live store"
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { onMarkedLines } from "./child-lines";

const args = process.argv.slice(2);
const child = spawn("npx", ["vitest", "run", "--project", "bench", ...args], {
  env: { ...process.env, STRONGBOX_BENCH: "1" },
  stdio: ["ignore", "pipe", "inherit"],
});

/** Pids of every process below `root` (this run's npx, vitest, workerd). */
function descendants(root: number): number[] {
  const parents = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(name)]);
    } catch {}
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    for (const c of parents.get(pid) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(root);
  return out;
}

const kB = (status: string, field: string) =>
  Number(status.match(new RegExp(`${field}:\\s+(\\d+)`))?.[1] ?? 0);

let workerd: number[] = [];
const samples: { at: number; rssKB: number }[] = [];
const timer = setInterval(() => {
  if (samples.length % 20 === 0 || !workerd.length)
    workerd = descendants(child.pid as number).filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "workerd";
      } catch {
        return false;
      }
    });
  let rss = 0;
  for (const pid of workerd) {
    try {
      rss += kB(readFileSync(`/proc/${pid}/status`, "utf8"), "VmRSS");
    } catch {}
  }
  if (rss) samples.push({ at: Date.now(), rssKB: rss });
}, 50);

const windows = new Map<string, { start?: number; end?: number }>();
onMarkedLines<{ name: string; edge: "start" | "end"; at: number }>(child.stdout, "EXPORT_WINDOW", (m) =>
  windows.set(m.name, { ...windows.get(m.name), [m.edge]: m.at }),
);

const code: number = await new Promise((resolve) => child.on("close", (c) => resolve(c ?? 1)));
clearInterval(timer);
const MB = 1024;
console.log("\nworkerd resident memory per export (MB): before, peak during, peak - before");
for (const [name, { start, end }] of windows) {
  if (!start || !end) continue;
  const before = samples.filter((s) => s.at <= start).at(-1)?.rssKB ?? 0;
  const during = samples.filter((s) => s.at >= start && s.at <= end);
  const peak = Math.max(0, ...during.map((s) => s.rssKB));
  console.log(
    `EXPORT_RSS ${JSON.stringify({ name, samples: during.length, beforeMB: Math.round(before / MB), peakMB: Math.round(peak / MB), deltaMB: Math.round((peak - before) / MB) })}`,
  );
}
process.exit(code);
