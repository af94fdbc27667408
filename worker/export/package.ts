import { getType } from "../bigcommerce/registry";
import { csvLine, csvRow, flattenRecord } from "./csv";
import { decodeStagedPage, stagedRecords, stageKey } from "./staging";
import { MIB, R2ZipWriter, type WrittenFile } from "./zip-writer";

export const APP_NAME = "Strongbox";
export const APP_VERSION = "0.1.0";
/** Past this many bytes of ZIP a new ZIP starts (the guide: "larger than 1 GB"). */
export const DEFAULT_SPLIT_BYTES = 1024 * MIB;
export const DEFAULT_PART_BYTES = 8 * MIB;

export type ZipInfo = { key: string; name: string; size: number };

export type PackageInput = {
  storeHash: string;
  storeName: string;
  exportId: string;
  kind: "manual" | "weekly" | "monthly";
  createdAt: number;
  types: string[];
  pages: Record<string, number>;
  counts: Record<string, number>;
  /** CSV columns per CSV file stem: "products" (the main CSV), "products.variants" (a child list). */
  columns: Record<string, string[]>;
  /** Types the store does not have: listed in the manifest, no files. */
  unavailable?: Record<string, string>;
};

export type PackageOptions = { splitBytes?: number; partBytes?: number; level?: 1 | 2 | 3 | 4 | 5 | 6 };

export type Manifest = {
  app: string;
  appVersion: string;
  exportId: string;
  store: { hash: string; name: string };
  kind: PackageInput["kind"];
  createdAt: string;
  part: number;
  types: { key: string; label: string; count: number }[];
  unavailable: { key: string; label: string; reason: string }[];
  files: { name: string; bytes: number; sha256: string; type: string }[];
  formats: Record<string, string>;
};

export const zipKey = (storeHash: string, exportId: string, n: number) =>
  `exports/${storeHash}/${exportId}-part-${n}.zip`;

/** The column every child CSV starts with: the id of the record the row belongs to. */
export const parentColumn = (type: string) => `${type}.id`;

/** The files a type exports, in order: JSON Lines, the main CSV, one CSV per child list. */
export function filesOf(
  type: string,
  columns: Record<string, string[]>,
): { stem: string; ext: "jsonl" | "csv"; child?: string }[] {
  const children = Object.keys(columns)
    .filter((k) => k.startsWith(`${type}.`))
    .map((k) => k.slice(type.length + 1));
  return [
    { stem: type, ext: "jsonl" },
    { stem: type, ext: "csv" },
    ...children.map((c) => ({ stem: `${type}.${c}`, ext: "csv" as const, child: c })),
  ];
}

/**
 * Packs the staged pages into ZIPs: per type its JSONL (the staged bytes as they are), its CSV and
 * its child CSVs (each a pass over the staged pages, so only one page is in memory), then a
 * manifest with the SHA-256 of every file. Past `splitBytes` of ZIP, the file being written ends,
 * the ZIP is closed and the next one continues it (`products.part-2.csv`, header repeated).
 */
export async function packageExport(
  bucket: R2Bucket,
  input: PackageInput,
  options: PackageOptions = {},
): Promise<ZipInfo[]> {
  const splitBytes = options.splitBytes ?? DEFAULT_SPLIT_BYTES;
  const partBytes = options.partBytes ?? DEFAULT_PART_BYTES;
  const zips: { key: string; size: number }[] = [];
  const fileTypes = new Map<string, string>();
  let n = 1;
  let writer = new R2ZipWriter(bucket, zipKey(input.storeHash, input.exportId, n), partBytes, options.level);

  const closeZip = async () => {
    const manifest: Manifest = {
      app: APP_NAME,
      appVersion: APP_VERSION,
      exportId: input.exportId,
      store: { hash: input.storeHash, name: input.storeName },
      kind: input.kind,
      createdAt: new Date(input.createdAt).toISOString(),
      part: n,
      types: input.types
        .filter((t) => !input.unavailable?.[t])
        .map((t) => ({ key: t, label: getType(t).label, count: input.counts[t] ?? 0 })),
      unavailable: Object.entries(input.unavailable ?? {}).map(([t, reason]) => ({
        key: t,
        label: getType(t).label,
        reason,
      })),
      files: writer.files.map((f: WrittenFile) => ({ ...f, type: fileTypes.get(f.name) ?? "" })),
      formats: {
        jsonl:
          "One record per line, every field as BigCommerce returns it, sub-resources embedded: what Strongbox re-imports.",
        csv: `Flat columns; nested objects as dotted columns; lists of values joined with " | "; lists of objects in their own CSV (<type>.<list>.csv) keyed by the "<type>.id" column.`,
      },
    };
    const sink = writer.open("manifest.json");
    await sink.write(JSON.stringify(manifest, null, 2));
    await sink.end();
    zips.push({ key: writer.key, size: await writer.finish() });
  };

  try {
    for (const type of input.types) {
      if (input.unavailable?.[type]) continue;
      for (const file of filesOf(type, input.columns)) {
        let piece = 1;
        const nameOf = () =>
          piece === 1 ? `${file.stem}.${file.ext}` : `${file.stem}.part-${piece}.${file.ext}`;
        const header = file.ext === "csv" ? (input.columns[file.stem] ?? []) : null;
        const openPiece = async () => {
          fileTypes.set(nameOf(), type);
          const s = writer.open(nameOf());
          if (header?.length) await s.write(csvLine(header));
          return s;
        };
        if (writer.bytes >= splitBytes) {
          await closeZip();
          writer = new R2ZipWriter(
            bucket,
            zipKey(input.storeHash, input.exportId, ++n),
            partBytes,
            options.level,
          );
        }
        let sink = await openPiece();
        const pages = input.pages[type] ?? 0;
        for (let seq = 0; seq < pages; seq++) {
          const obj = await bucket.get(stageKey(input.storeHash, input.exportId, type, seq));
          if (!obj) throw new Error(`Staged page ${seq} of ${type} is missing`);
          const page = decodeStagedPage(await obj.text());
          if (file.ext === "jsonl") {
            await sink.write(page.jsonl);
          } else {
            let chunk = "";
            for (const [id, record] of stagedRecords(page)) {
              const flat = flattenRecord(record, parentColumn(type), id, file.child ?? "");
              if (!file.child) chunk += csvRow(header ?? [], flat.main);
              else for (const row of flat.children[file.child] ?? []) chunk += csvRow(header ?? [], row);
            }
            await sink.write(chunk);
          }
          if (writer.bytes >= splitBytes && seq < pages - 1) {
            await sink.end();
            await closeZip();
            writer = new R2ZipWriter(
              bucket,
              zipKey(input.storeHash, input.exportId, ++n),
              partBytes,
              options.level,
            );
            piece++;
            sink = await openPiece();
          }
        }
        await sink.end();
      }
    }
    await closeZip();
  } catch (err) {
    await writer.abort();
    throw err;
  }
  const date = new Date(input.createdAt).toISOString().slice(0, 10);
  const base = `strongbox-${input.storeHash}-${date}`;
  return zips.map((z, i) => ({
    key: z.key,
    size: z.size,
    name: zips.length === 1 ? `${base}.zip` : `${base}-part-${i + 1}.zip`,
  }));
}
