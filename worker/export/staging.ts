import { constants, deflateRawSync, inflateRawSync } from "node:zlib";
import { concatBytes } from "../lib/bytes";
import { CsvColumns, csvRow, flattenRecord, parentColumn, type Row } from "./csv";
import { DEFAULT_LEVEL } from "./zip-writer";

/**
 * Where an export keeps the pages it read before packaging them. A staged page is a block of an R2
 * object (one object holds a step's pages of one type, back to back) with every file's share of
 * that page, already rendered and deflated: the JSON Lines, the main CSV rows and each child list's
 * CSV rows. A block's first line is a JSON header naming the sections (their deflated length, the
 * number of CSV columns known when they were rendered and each row's length in characters); the
 * sections follow, back to back, each a raw DEFLATE chunk ending with a sync flush, at the ZIP's
 * level. Packaging copies a section's deflated bytes into the ZIP as they are (the ZIP's DEFLATE
 * stream is such chunks back to back) and inflates it only for the CRC-32 and SHA-256: nothing is
 * parsed, flattened or deflated twice, and the staged bytes that go through R2 twice are the
 * compressed ones (a tenth of the files). A CSV's columns can still grow after a page was rendered
 * (a field first seen on a later page); packaging pads that page's rows with empty cells, using the
 * row lengths, and deflates the padded rows again.
 */
export const stageKey = (storeHash: string, exportId: string, type: string, seq: number) =>
  `exports/${storeHash}/${exportId}/stage/${type}/${String(seq).padStart(6, "0")}.bin`;

export const stagePrefix = (storeHash: string, exportId: string) => `exports/${storeHash}/${exportId}/stage/`;

/** Section names: "jsonl", "csv" (the type's main CSV), "csv:<list>" (a child list's CSV). */
export const sectionOf = (ext: "jsonl" | "csv", child?: string) =>
  ext === "jsonl" ? "jsonl" : child ? `csv:${child}` : "csv";

type SectionHeader = { name: string; length: number; columns: number; rows: number[] };

/**
 * `json`: the body's JSON text as UTF-8 when the source already has it in JSON.stringify's form
 * (the vault's canonical JSON): written to the JSON Lines as it is instead of stringified again.
 */
export type StagedRecord = { recordId: string; body: unknown; json?: Uint8Array };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** One chunk of a raw DEFLATE stream: byte-aligned by a sync flush, not final, so chunks concatenate. */
export const deflateChunk = (bytes: Uint8Array): Uint8Array =>
  deflateRawSync(bytes, { level: DEFAULT_LEVEL, finishFlush: constants.Z_SYNC_FLUSH });

const inflateChunk = (bytes: Uint8Array): Uint8Array =>
  inflateRawSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH });

/**
 * Renders one page of records into a staged block and adds the CSV columns it uses to `columns`
 * (in place; keys are CSV stems: "products", "products.variants"). Each record is flattened once,
 * straight into escaped cells by column.
 */
export function renderStagedPage(
  type: string,
  records: StagedRecord[],
  columns: Record<string, string[]>,
): Uint8Array {
  const parentKey = parentColumn(type);
  const stems = new Map<string, CsvColumns>();
  const columnsOf = (stem: string) => {
    let c = stems.get(stem);
    if (!c) {
      columns[stem] ??= [];
      c = new CsvColumns(columns[stem]);
      stems.set(stem, c);
    }
    return c;
  };
  const main = columnsOf(type);
  const childColumns = (list: string) => columnsOf(`${type}.${list}`);
  const flats = records.map((r) =>
    flattenRecord(r.body as Record<string, unknown>, main, childColumns, parentKey, r.recordId),
  );
  const sections: { header: SectionHeader; bytes: Uint8Array }[] = [];
  const add = (header: SectionHeader, text: string | Uint8Array) => {
    const bytes = deflateChunk(typeof text === "string" ? encoder.encode(text) : text);
    header.length = bytes.length;
    sections.push({ header, bytes });
  };
  add({ name: "jsonl", length: 0, columns: 0, rows: [] }, jsonLines(records));
  const csv = (name: string, stem: string, rows: Row[]) => {
    const width = columns[stem].length;
    const lines = rows.map((row) => csvRow(row, width));
    add({ name, length: 0, columns: width, rows: lines.map((l) => l.length) }, lines.join(""));
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
  const head = encoder.encode(`${JSON.stringify(sections.map((s) => s.header))}\n`);
  const out = new Uint8Array(head.length + sections.reduce((n, s) => n + s.bytes.length, 0));
  out.set(head);
  let at = head.length;
  for (const s of sections) {
    out.set(s.bytes, at);
    at += s.bytes.length;
  }
  return out;
}

/** The records' JSON Lines as UTF-8: each record's own JSON text where it has one, else stringified. */
function jsonLines(records: StagedRecord[]): Uint8Array {
  const lines = records.map((r) => r.json ?? encoder.encode(JSON.stringify(r.body)));
  const out = new Uint8Array(lines.reduce((n, l) => n + l.length + 1, 0));
  let at = 0;
  for (const l of lines) {
    out.set(l, at);
    out[at + l.length] = 0x0a;
    at += l.length + 1;
  }
  return out;
}

/** Staged blocks back to back: one staged object. */
export const joinBlocks = (blocks: Uint8Array[]): Uint8Array => concatBytes(blocks);

export type StagedPage = { sections: Map<string, SectionHeader & { at: number }>; bytes: Uint8Array };

/** The pages of one staged object (one or more blocks back to back). */
export function decodeStagedObject(bytes: Uint8Array): StagedPage[] {
  const pages: StagedPage[] = [];
  let at = 0;
  while (at < bytes.length) {
    const nl = bytes.indexOf(0x0a, at);
    const headers = JSON.parse(decoder.decode(bytes.subarray(at, nl))) as SectionHeader[];
    const sections = new Map<string, SectionHeader & { at: number }>();
    at = nl + 1;
    for (const h of headers) {
      sections.set(h.name, { ...h, at });
      at += h.length;
    }
    pages.push({ sections, bytes });
  }
  return pages;
}

/** The first page of a staged object (an object staged from one API page). */
export const decodeStagedPage = (bytes: Uint8Array): StagedPage => decodeStagedObject(bytes)[0];

/**
 * One file's share of a staged page: its bytes (`raw`) and, when they can be copied into the ZIP as
 * they are, their DEFLATE chunk (`deflated`); a CSV section whose file gained columns after the page
 * was rendered comes back widened to `columns` cells and without a chunk (it is deflated again).
 * Null when the page has no rows for that file.
 */
export function stagedSection(
  page: StagedPage,
  name: string,
  columns = 0,
): { raw: Uint8Array; deflated: Uint8Array | null } | null {
  const s = page.sections.get(name);
  if (!s) return null;
  const deflated = page.bytes.subarray(s.at, s.at + s.length);
  const raw = inflateChunk(deflated);
  if (!raw.length) return null;
  if (name === "jsonl" || s.columns >= columns) return { raw, deflated };
  const text = decoder.decode(raw);
  // A row of 0 columns is "\r\n"; of n columns, n - 1 commas: add the missing separators before its CRLF.
  const pad = ",".repeat(s.columns === 0 ? columns - 1 : columns - s.columns);
  const out: string[] = [];
  let at = 0;
  for (const len of s.rows) {
    out.push(text.slice(at, at + len - 2), pad, "\r\n");
    at += len;
  }
  return { raw: encoder.encode(out.join("")), deflated: null };
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
