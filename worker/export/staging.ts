import { csvRow, flattenRecord, mergeColumns, parentColumn } from "./csv";

/**
 * Where an export keeps the pages it read before packaging them. A staged page is one R2 object
 * holding every file's share of that page, already rendered: the JSON Lines, the main CSV rows and
 * each child list's CSV rows. Its first line is a JSON header naming the sections (their length,
 * the number of CSV columns known when they were rendered and each row's length); the sections
 * follow, back to back. Packaging then only copies sections into the ZIP: nothing is parsed or
 * flattened twice. A CSV's columns can still grow after a page was rendered (a field first seen on a
 * later page); packaging pads that page's rows with empty cells, using the row lengths.
 */
export const stageKey = (storeHash: string, exportId: string, type: string, seq: number) =>
  `exports/${storeHash}/${exportId}/stage/${type}/${String(seq).padStart(6, "0")}.jsonl`;

export const stagePrefix = (storeHash: string, exportId: string) => `exports/${storeHash}/${exportId}/stage/`;

/** Section names: "jsonl", "csv" (the type's main CSV), "csv:<list>" (a child list's CSV). */
export const sectionOf = (ext: "jsonl" | "csv", child?: string) =>
  ext === "jsonl" ? "jsonl" : child ? `csv:${child}` : "csv";

type SectionHeader = { name: string; length: number; columns: number; rows: number[] };

export type StagedRecord = { recordId: string; body: unknown };

/**
 * Renders one page of records into its staged object and adds the CSV columns it uses to `columns`
 * (in place; keys are CSV stems: "products", "products.variants"). Each record is flattened once.
 */
export function renderStagedPage(
  type: string,
  records: StagedRecord[],
  columns: Record<string, string[]>,
): string {
  const parentKey = parentColumn(type);
  const flats = records.map((r) => flattenRecord(r.body as Record<string, unknown>, parentKey, r.recordId));
  columns[type] ??= [];
  for (const flat of flats) {
    mergeColumns(columns[type], flat.main);
    for (const [child, rows] of Object.entries(flat.children)) {
      const stem = `${type}.${child}`;
      columns[stem] ??= [];
      for (const row of rows) mergeColumns(columns[stem], row);
    }
  }
  const sections: { header: SectionHeader; text: string }[] = [];
  sections.push({
    header: { name: "jsonl", length: 0, columns: 0, rows: [] },
    text: records.map((r) => `${JSON.stringify(r.body)}\n`).join(""),
  });
  const csv = (name: string, stem: string, rows: Record<string, string>[]) => {
    const cols = columns[stem];
    const lines = rows.map((row) => csvRow(cols, row));
    sections.push({
      header: { name, length: 0, columns: cols.length, rows: lines.map((l) => l.length) },
      text: lines.join(""),
    });
  };
  csv(
    "csv",
    type,
    flats.map((f) => f.main),
  );
  const children = new Set(flats.flatMap((f) => Object.keys(f.children)));
  for (const child of children) {
    csv(
      `csv:${child}`,
      `${type}.${child}`,
      flats.flatMap((f) => f.children[child] ?? []),
    );
  }
  for (const s of sections) s.header.length = s.text.length;
  return `${JSON.stringify(sections.map((s) => s.header))}\n${sections.map((s) => s.text).join("")}`;
}

export type StagedPage = { sections: Map<string, SectionHeader & { at: number }>; text: string };

export function decodeStagedPage(text: string): StagedPage {
  const nl = text.indexOf("\n");
  const headers = JSON.parse(text.slice(0, nl)) as SectionHeader[];
  const sections = new Map<string, SectionHeader & { at: number }>();
  let at = nl + 1;
  for (const h of headers) {
    sections.set(h.name, { ...h, at });
    at += h.length;
  }
  return { sections, text };
}

/**
 * One file's share of a staged page, its CSV rows widened to `columns` cells when the file's
 * columns grew after the page was rendered. Empty when the page has no rows for that file.
 */
export function stagedSection(page: StagedPage, name: string, columns = 0): string {
  const s = page.sections.get(name);
  if (!s) return "";
  const text = page.text.slice(s.at, s.at + s.length);
  if (name === "jsonl" || s.columns >= columns) return text;
  // A row of 0 columns is "\r\n"; of n columns, n - 1 commas: add the missing separators before its CRLF.
  const pad = ",".repeat(s.columns === 0 ? columns - 1 : columns - s.columns);
  const out: string[] = [];
  let at = 0;
  for (const len of s.rows) {
    out.push(text.slice(at, at + len - 2), pad, "\r\n");
    at += len;
  }
  return out.join("");
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
