/**
 * Image file downloads from the store's CDN. CDN requests do not count against the API quota, so
 * they bypass the store's pacer, but stay polite: a bounded number at once, a timeout per request,
 * and retries with back-off for network errors, 429 and 5xx. A 404 or 410 is final (the file is gone).
 */

export const DOWNLOAD_CONCURRENCY = 6;
const ATTEMPTS = 3;
const TIMEOUT_MS = 30_000;
const BACKOFF_MS = 500;
/** BigCommerce accepts images up to 8 MB; anything far larger is not an image file worth keeping. */
const MAX_BYTES = 20 * 1024 * 1024;

export type Downloaded =
  | { ok: true; bytes: Uint8Array; contentType: string }
  | { ok: false; status: number; reason: string };

export type DownloadOptions = {
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  timeoutMs?: number;
};

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function downloadImage(url: string, opts: DownloadOptions = {}): Promise<Downloaded> {
  const doFetch = opts.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const sleep = opts.sleep ?? realSleep;
  let last: Downloaded = { ok: false, status: 0, reason: "not tried" };
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    if (attempt > 1) await sleep(BACKOFF_MS * 2 ** (attempt - 2));
    // A timer cleared when the attempt ends: AbortSignal.timeout's stays active for the whole 30 s,
    // and a fast image phase then reaches workerd's 10,000 active timeouts per isolate.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error("timed out")), opts.timeoutMs ?? TIMEOUT_MS);
    try {
      const res = await doFetch(url, { redirect: "follow", signal: controller.signal });
      if (res.ok) {
        const declared = Number(res.headers.get("content-length") ?? 0);
        if (declared > MAX_BYTES) {
          await res.body?.cancel();
          return { ok: false, status: res.status, reason: `larger than ${MAX_BYTES} bytes` };
        }
        const bytes = new Uint8Array(await res.arrayBuffer());
        if (bytes.byteLength > MAX_BYTES)
          return { ok: false, status: res.status, reason: `larger than ${MAX_BYTES} bytes` };
        const contentType = (res.headers.get("content-type") ?? "application/octet-stream")
          .split(";")[0]
          .trim();
        return { ok: true, bytes, contentType };
      }
      await res.body?.cancel();
      last = { ok: false, status: res.status, reason: `answered ${res.status}` };
      if (res.status !== 429 && res.status < 500) return last;
    } catch (err) {
      last = { ok: false, status: 0, reason: `network error: ${String(err).slice(0, 200)}` };
    } finally {
      clearTimeout(timer);
    }
  }
  return last;
}

/** Runs `fn` over `items` with at most `limit` running at once; results in input order. */
export async function mapPool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
