/**
 * Where an export keeps the pages it read before packaging them. A staged page is one R2 object:
 * its first line is the JSON array of the records' ids, the rest is the page as JSON Lines, so the
 * JSONL file is a byte copy and the CSV passes parse one line at a time.
 */
export const stageKey = (storeHash: string, exportId: string, type: string, seq: number) =>
  `exports/${storeHash}/${exportId}/stage/${type}/${String(seq).padStart(6, "0")}.jsonl`;

export const stagePrefix = (storeHash: string, exportId: string) => `exports/${storeHash}/${exportId}/stage/`;

export function encodeStagedPage(ids: string[], bodies: unknown[]): string {
  let out = `${JSON.stringify(ids)}\n`;
  for (const b of bodies) out += `${JSON.stringify(b)}\n`;
  return out;
}

export type StagedPage = { ids: string[]; jsonl: string };

export function decodeStagedPage(text: string): StagedPage {
  const nl = text.indexOf("\n");
  return { ids: JSON.parse(text.slice(0, nl)) as string[], jsonl: text.slice(nl + 1) };
}

/** The page's records, parsed one line at a time, with their ids. */
export function* stagedRecords(page: StagedPage): Generator<[string, Record<string, unknown>]> {
  let at = 0;
  let i = 0;
  while (at < page.jsonl.length) {
    const nl = page.jsonl.indexOf("\n", at);
    const end = nl === -1 ? page.jsonl.length : nl;
    if (end > at) yield [page.ids[i++], JSON.parse(page.jsonl.slice(at, end))];
    at = end + 1;
  }
}

/** Deletes every staged page of an export (R2 deletes up to 1,000 keys per call; deletes are free). */
export async function deleteStaged(
  bucket: R2Bucket,
  storeHash: string,
  exportId: string,
  pages: Record<string, number>,
) {
  const keys: string[] = [];
  for (const [type, n] of Object.entries(pages))
    for (let s = 0; s < n; s++) keys.push(stageKey(storeHash, exportId, type, s));
  for (let i = 0; i < keys.length; i += 1000) await bucket.delete(keys.slice(i, i + 1000));
}
