import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { encryptToken } from "../worker/auth/token-crypto";
import { type Client, signIn } from "./plans.support";
import { SANDBOX_URL } from "./support/test-env";

/** A sandbox store (seeded profile) installed in the app with its real token, and a signed-in owner. */
export async function sandboxStore(
  profile = "demo",
  seed = 11,
): Promise<{ client: Client; storeHash: string; email: string; token: string }> {
  const res = await fetch(`${SANDBOX_URL}/__sandbox/stores`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ profile, seed }),
  });
  const { store_hash: storeHash, access_token: token } = await res.json<{
    store_hash: string;
    access_token: string;
  }>();
  const enc = await encryptToken(env, storeHash, token);
  const email = `owner@${storeHash}.example.com`;
  await env.DB.prepare(
    "insert into stores (hash, status, name, scope, owner_id, owner_email, token_ciphertext, token_iv, token_key_id, installed_at, timezone) values (?, 'installed', 'Demo store', 'store_v2_products', 1, ?, ?, ?, ?, ?, 'Europe/Paris')",
  )
    .bind(storeHash, email, enc.tokenCiphertext, enc.tokenIv, enc.tokenKeyId, Date.now())
    .run();
  const client = await signIn(storeHash, { id: 1, email });
  return { client, storeHash, email, token };
}

export async function sandboxExport(storeHash: string): Promise<Record<string, Record<string, unknown>[]>> {
  const res = await fetch(`${SANDBOX_URL}/__sandbox/stores/${storeHash}/export`);
  return res.json();
}

export type ExportDetail = {
  id: string;
  status: "queued" | "running" | "done" | "failed";
  kind: string;
  types: string[];
  counts: Record<string, number>;
  size: number;
  error: string | null;
  links: { name: string; size: number; url: string }[];
  progress: { type: string; label: string; done: number; total: number | null; status: string }[];
  phase: string;
  source: "live" | "vault";
  asOf: number | null;
};

/** Polls the result screen's endpoint until the export ends. */
export async function waitForExport(client: Client, id: string, timeoutMs = 55_000): Promise<ExportDetail> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const res = await client.get(`/api/exports/${id}`);
    expect(res.status).toBe(200);
    const body = await res.json<ExportDetail>();
    if (body.status === "done" || body.status === "failed") return body;
    if (Date.now() > end) throw new Error(`export ${id} still ${body.status} (${body.phase})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** RFC 4180 CSV (quoted fields, doubled quotes, CRLF) into rows of cells. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(cell);
      cell = "";
    } else if (ch === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += ch;
  }
  if (cell || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

export const csvObjects = (text: string) => {
  const [head, ...rows] = parseCsv(text);
  return rows.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i] ?? ""])));
};

export async function sha256(data: Uint8Array): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", data);
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
