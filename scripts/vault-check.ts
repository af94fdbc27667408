// `npm run vault:check [-- --store <hash>]`: checks the local vault (the state `npm start` uses) with the
// same code as POST /api/vault/check, through wrangler's local bindings. Exits 1 when anything is wrong.
import { join } from "node:path";
import { getPlatformProxy } from "wrangler";
import { checkVault } from "../worker/integrity/vault-check";

const args = process.argv.slice(2);
const only = args.includes("--store") ? args[args.indexOf("--store") + 1] : undefined;
const persist = process.env.PERSIST_TO ?? join(process.cwd(), ".wrangler", "state", "v3");

const { env, dispose } = await getPlatformProxy<Env>({
  configPath: "wrangler.toml",
  persist: { path: persist },
});
try {
  const stores = only
    ? [only]
    : (await env.DB.prepare("select hash from stores order by hash").all<{ hash: string }>()).results.map(
        (r) => r.hash,
      );
  let bad = 0;
  for (const hash of stores) {
    const report = await checkVault(env, hash);
    bad += report.problems.length;
    console.log(
      `${hash}: ${report.versions} versions, ${report.bodiesChecked} bodies re-read from ${report.packs} packs, ${report.problems.length} problems`,
    );
    for (const p of report.problems)
      console.log(`  ${p.kind} ${p.type ?? ""} ${p.recordId ?? ""} ${p.detail}`);
  }
  if (stores.length === 0) console.log(`no stores in ${persist}`);
  process.exitCode = bad > 0 ? 1 : 0;
} finally {
  await dispose();
}
