/**
 * `npm run bench [-- name...]`: runs the `bench` vitest project (workerd pool + sandbox, see
 * vitest.config.ts) with an optional name filter, collects the `BENCH_RESULT` lines the benchmark
 * files print, prints a table and writes bench/results/latest.json with the machine it ran on.
 *
 * Names: a benchmark file (`rs10k`, `vault`) or a benchmark (`full-backup`, `incremental`, `ingest`,
 * `bulk-restore`, `export`, `naive-baseline`, `diff`, `vault-list`); a benchmark name runs its file.
 */
import { execSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { onMarkedLines } from "./child-lines";
import type { BenchResult } from "./support";

const FILE_OF: Record<string, string> = {
  "full-backup": "rs10k",
  incremental: "rs10k",
  ingest: "ingest",
  "ingest-full": "rs10k",
  "bulk-restore": "rs10k",
  export: "rs10k",
  "naive-baseline": "rs10k",
  diff: "vault",
  "vault-list": "vault",
  "d1-row-size": "vault",
  "vault-query-plans": "vault",
};

const names = process.argv.slice(2);
const files = [...new Set(names.map((n) => FILE_OF[n] ?? n))].map((f) => `bench/${f}.bench.test.ts`);

const sh = (cmd: string) => {
  try {
    return execSync(cmd, { encoding: "utf8" }).trim();
  } catch {
    return null;
  }
};

// workerd tests serve the built SPA as assets: build once if it is missing.
if (!existsSync("dist/app/index.html")) execSync("npm run build", { stdio: "inherit" });

const started = new Date();
const child = spawn("npx", ["vitest", "run", "--project", "bench", ...files], {
  // VITE_ variables reach the workerd test files (import.meta.env): the rs-10k file runs only the named steps.
  env: { ...process.env, STRONGBOX_BENCH: "1", VITE_BENCH_ONLY: names.join(",") },
  stdio: ["ignore", "pipe", "inherit"],
});
const results: BenchResult[] = [];
onMarkedLines<BenchResult>(child.stdout, "BENCH_RESULT", (r) => results.push(r));
const code: number = await new Promise((resolve) => child.on("close", (c) => resolve(c ?? 1)));

const machine = {
  cpu: os.cpus()[0]?.model ?? "unknown",
  cores: os.cpus().length,
  memoryGB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
  loadAverage: os.loadavg().map((l) => Math.round(l * 10) / 10),
  node: process.version,
  platform: `${os.type()} ${os.release()}`,
  workerd: JSON.parse(readFileSync("node_modules/@cloudflare/workerd-linux-64/package.json", "utf8")).version,
  date: started.toISOString(),
  finished: new Date().toISOString(),
  commit: sh("git rev-parse --short HEAD"),
  dirty: Boolean(sh("git status --porcelain -- bench worker sandbox")),
};

// A partial run (a name filter) updates only its benchmarks in latest.json.
const path = "bench/results/latest.json";
let previous: { results?: BenchResult[] } = {};
try {
  previous = JSON.parse(readFileSync(path, "utf8"));
} catch {}
const fresh = new Set(results.map((r) => r.name));
const merged = [
  ...(previous.results ?? []).filter((r) => !fresh.has(r.name)),
  ...results.map((r) => ({ ...r, machine })),
];
mkdirSync("bench/results", { recursive: true });
writeFileSync(
  path,
  `${JSON.stringify({ machine, command: `npm run bench${names.length ? ` -- ${names.join(" ")}` : ""}`, results: merged }, null, 2)}\n`,
);

console.log(
  `\nBenchmarks (${machine.date}, ${machine.cpu}, ${machine.cores} cores, load ${machine.loadAverage.join(" ")})`,
);
for (const r of results) {
  console.log(`\n${r.title}  [${r.scale}]`);
  for (const [k, v] of Object.entries(r.figures)) {
    const g = r.goals.find((x) => x.figure === k);
    const mark = g ? `  goal ${g.goal}: ${g.met === null ? "not measured" : g.met ? "met" : "MISSED"}` : "";
    console.log(`  ${k.padEnd(28)} ${String(v).padStart(14)}${mark}`);
  }
}
for (const r of results)
  for (const g of r.goals.filter((x) => !(x.figure in r.figures)))
    console.log(`  ${r.name}: goal ${g.figure} ${g.goal}: ${g.met}`);
console.log(`\nwrote ${path}${code ? ` (vitest exited ${code})` : ""}`);
process.exit(code);
