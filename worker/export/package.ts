import { getType } from "../bigcommerce/registry";
import { csvLine } from "./csv";
import { decodeStagedObject, type StagedPage, sectionOf, stagedSection, stageKey } from "./staging";
import { MIB, MIN_PART_BYTES, R2ZipWriter, type WrittenFile, type ZipLevel } from "./zip-writer";

export { parentColumn } from "./csv";

export const APP_NAME = "Strongbox";
export const APP_VERSION = "0.1.0";
/** Past this many bytes of ZIP a new ZIP starts (the guide: "larger than 1 GB"). */
export const DEFAULT_SPLIT_BYTES = 1024 * MIB;
/**
 * R2's smallest part: packaging holds two part buffers (one filling, one uploading), so their size
 * is the largest share of its memory; a 1 GB ZIP is 205 parts of R2's 10,000.
 */
export const DEFAULT_PART_BYTES = MIN_PART_BYTES;

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
  /** The live store (default), or the vault as of its last capture (the token was revoked, or asked for). */
  source?: { kind: "live" } | { kind: "vault"; asOf: number | null };
  /**
   * Files copied into the ZIP as they are, after the data files: the image files ("Include image
   * files"), listed as they are read (`path` in the ZIP, e.g. images/products/112/1-shoe.jpg; `key` in `bucket`).
   */
  attachments?: { bucket: R2Bucket; files: AsyncIterable<{ path: string; key: string }> };
};

export type PackageOptions = {
  splitBytes?: number;
  partBytes?: number;
  level?: ZipLevel;
  /** Wall ms per packaging phase are added here (benchmarks). */
  profile?: Record<string, number>;
};

export type Manifest = {
  app: string;
  appVersion: string;
  exportId: string;
  store: { hash: string; name: string };
  kind: PackageInput["kind"];
  /** "live store", or "vault, as of <last capture time>". */
  source: string;
  createdAt: string;
  part: number;
  types: { key: string; label: string; count: number }[];
  unavailable: { key: string; label: string; reason: string }[];
  files: { name: string; bytes: number; sha256: string; type: string }[];
  formats: Record<string, string>;
};

export const zipKey = (storeHash: string, exportId: string, n: number) =>
  `exports/${storeHash}/${exportId}-part-${n}.zip`;

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

/** Staged pages read ahead while the current one is written: R2 latency overlaps deflate. */
const READ_AHEAD = 3;

/** The type's staged pages in order (each object's pages), up to READ_AHEAD object reads in flight. */
async function* stagedPages(
  bucket: R2Bucket,
  keys: string[],
  profile?: Record<string, number>,
): AsyncGenerator<StagedPage> {
  const load = (key: string) =>
    bucket.get(key).then(async (obj) => {
      if (!obj) throw new Error(`Staged page ${key} is missing`);
      return decodeStagedObject(new Uint8Array(await obj.arrayBuffer()));
    });
  const queue: Promise<StagedPage[]>[] = [];
  let next = 0;
  const fill = () => {
    while (queue.length < READ_AHEAD && next < keys.length) {
      const p = load(keys[next++]);
      // Awaited below in order; this only keeps an early failure from being reported as unhandled.
      p.catch(() => undefined);
      queue.push(p);
    }
  };
  fill();
  while (queue.length) {
    const t = performance.now();
    const pages = await (queue.shift() as Promise<StagedPage[]>);
    if (profile) profile.packReadWaitMs = (profile.packReadWaitMs ?? 0) + (performance.now() - t);
    fill();
    yield* pages;
  }
}

/** Each item with whether it is the last one (a split needs to know whether more of the file follows). */
async function* withLast<T>(items: AsyncIterable<T>): AsyncGenerator<[T, boolean]> {
  let held: { value: T } | null = null;
  for await (const value of items) {
    if (held) yield [held.value, false];
    held = { value };
  }
  if (held) yield [held.value, true];
}

/** What the manifest says the data came from. */
export function sourceLabel(source: PackageInput["source"]): string {
  if (!source || source.kind === "live") return "live store";
  return `vault, as of ${source.asOf ? new Date(source.asOf).toISOString() : "no backup yet"}`;
}

/** Thrown by a packager that may not split (see ExportPackager): the export is packaged again in one go. */
export class SplitNeeded extends Error {}

/** What the packager needs before the first type: the rest of PackageInput is read at `finish`. */
type PackagerBase = Pick<PackageInput, "storeHash" | "exportId" | "source">;

/**
 * Writes an export's ZIPs one type at a time: `addType` for each type in order (its staged pages
 * and final CSV columns), then `finish` with the whole input (attachments, manifest, close). Past
 * `splitBytes` of ZIP, the file being written ends, the ZIP is closed and the next one continues it
 * (`products.part-2.csv`, header repeated); with `canSplit: false` (packaging alongside the read
 * phase, when the manifest's counts are not known yet) it throws SplitNeeded instead.
 */
export class ExportPackager {
  private readonly splitBytes: number;
  private readonly partBytes: number;
  private readonly profile?: Record<string, number>;
  private readonly zips: { key: string; size: number }[] = [];
  private readonly fileTypes = new Map<string, string>();
  private n = 1;
  private writer: R2ZipWriter;
  private input: PackageInput | null = null;

  constructor(
    private readonly bucket: R2Bucket,
    private readonly base: PackagerBase,
    private readonly options: PackageOptions & { canSplit?: boolean } = {},
  ) {
    this.splitBytes = options.splitBytes ?? DEFAULT_SPLIT_BYTES;
    this.partBytes = options.partBytes ?? DEFAULT_PART_BYTES;
    this.profile = options.profile;
    // Given the whole input up front (one-go packaging), a split can write its manifest at once.
    if ("types" in base) this.input = base as PackageInput;
    this.writer = this.newWriter();
  }

  private newWriter() {
    const { source } = this.base;
    return new R2ZipWriter(
      this.bucket,
      zipKey(this.base.storeHash, this.base.exportId, this.n),
      this.partBytes,
      this.options.level,
      {
        source: source?.kind ?? "live",
        ...(source?.kind === "vault" && source.asOf ? { asOf: String(source.asOf) } : {}),
      },
    );
  }

  private async closeZip() {
    const input = this.input;
    if (!input) throw new SplitNeeded("the manifest needs the whole export");
    const manifest: Manifest = {
      app: APP_NAME,
      appVersion: APP_VERSION,
      exportId: input.exportId,
      store: { hash: input.storeHash, name: input.storeName },
      kind: input.kind,
      source: sourceLabel(input.source),
      createdAt: new Date(input.createdAt).toISOString(),
      part: this.n,
      types: input.types
        .filter((t) => !input.unavailable?.[t])
        .map((t) => ({ key: t, label: getType(t).label, count: input.counts[t] ?? 0 })),
      unavailable: Object.entries(input.unavailable ?? {}).map(([t, reason]) => ({
        key: t,
        label: getType(t).label,
        reason,
      })),
      files: this.writer.files.map((f: WrittenFile) => ({ ...f, type: this.fileTypes.get(f.name) ?? "" })),
      formats: {
        jsonl:
          "One record per line, every field as BigCommerce returns it, sub-resources embedded: what Strongbox re-imports.",
        csv: `Flat columns; nested objects as dotted columns; lists of values joined with " | "; lists of objects in their own CSV (<type>.<list>.csv) keyed by the "<type>.id" column.`,
        ...(input.attachments
          ? {
              images:
                "images/<type>/<record id>/<position>-<name>: the image files of the records as Strongbox backed them up, stored as they are.",
            }
          : {}),
      },
    };
    const sink = this.writer.open("manifest.json");
    await sink.write(JSON.stringify(manifest, null, 2));
    await sink.end();
    this.zips.push({ key: this.writer.key, size: await this.writer.finish() });
  }

  private async nextZip() {
    if (this.options.canSplit === false) throw new SplitNeeded("past the split size");
    await this.closeZip();
    this.n++;
    this.writer = this.newWriter();
  }

  /** One type's files: its JSONL, its CSV and its child CSVs, each a pass over the type's staged objects. */
  async addType(type: string, pages: number, columns: Record<string, string[]>): Promise<void> {
    const { bucket, profile } = this;
    const keys = Array.from({ length: pages }, (_, seq) =>
      stageKey(this.base.storeHash, this.base.exportId, type, seq),
    );
    // A one-object type is read once for all its files.
    let single: StagedPage[] | null = null;
    for (const file of filesOf(type, columns)) {
      let piece = 1;
      const nameOf = () =>
        piece === 1 ? `${file.stem}.${file.ext}` : `${file.stem}.part-${piece}.${file.ext}`;
      const header = file.ext === "csv" ? (columns[file.stem] ?? []) : null;
      const section = sectionOf(file.ext, file.child);
      const openPiece = async () => {
        this.fileTypes.set(nameOf(), type);
        const s = this.writer.open(nameOf());
        if (header?.length) await s.write(csvLine(header));
        return s;
      };
      if (this.writer.bytes >= this.splitBytes) await this.nextZip();
      let sink = await openPiece();
      const staged =
        keys.length === 1
          ? (async function* () {
              if (!single) {
                single = [];
                for await (const page of stagedPages(bucket, keys, profile)) single.push(page);
              }
              yield* single;
            })()
          : stagedPages(bucket, keys, profile);
      for await (const [page, last] of withLast(staged)) {
        const t = performance.now();
        const part = stagedSection(page, section, header?.length ?? 0);
        if (part) await sink.writeDeflated(part.raw, part.deflated);
        if (profile) profile.packWriteMs = (profile.packWriteMs ?? 0) + (performance.now() - t);
        if (this.writer.bytes >= this.splitBytes && !last) {
          await sink.end();
          await this.nextZip();
          piece++;
          sink = await openPiece();
        }
      }
      await sink.end();
    }
  }

  /** The attached files (images), the manifest, and the ZIPs closed; returns them with their download names. */
  async finish(input: PackageInput): Promise<ZipInfo[]> {
    this.input = input;
    const attachments = input.attachments;
    for await (const file of attachments?.files ?? []) {
      if (this.writer.bytes >= this.splitBytes) await this.nextZip();
      const obj = await (attachments as NonNullable<typeof attachments>).bucket.get(file.key);
      // A file removed since it was listed (retention reclaimed it) is left out, not fatal.
      if (!obj) continue;
      this.fileTypes.set(file.path, file.path.split("/")[1] ?? "");
      // Images are compressed already: stored, so they cost no deflate time and no size.
      const sink = this.writer.open(file.path, { store: true });
      const reader = obj.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        await sink.write(value);
      }
      await sink.end();
    }
    await this.closeZip();
    const date = new Date(input.createdAt).toISOString().slice(0, 10);
    const base = `strongbox-${input.storeHash}-${date}`;
    return this.zips.map((z, i) => ({
      key: z.key,
      size: z.size,
      name: this.zips.length === 1 ? `${base}.zip` : `${base}-part-${i + 1}.zip`,
    }));
  }

  async abort(): Promise<void> {
    await this.writer.abort();
  }
}

/**
 * Packs the staged pages into ZIPs: per type its JSONL, its CSV and its child CSVs (each a pass over
 * the type's staged objects, copying that file's sections: rendering and deflate happened when the
 * page was staged), then any attached files stored as they are (images), then a manifest with the
 * SHA-256 of every file; split past `splitBytes` (see ExportPackager).
 */
export async function packageExport(
  bucket: R2Bucket,
  input: PackageInput,
  options: PackageOptions = {},
): Promise<ZipInfo[]> {
  const packager = new ExportPackager(bucket, input, options);
  try {
    for (const type of input.types) {
      if (input.unavailable?.[type]) continue;
      await packager.addType(type, input.pages[type] ?? 0, input.columns);
    }
    return await packager.finish(input);
  } catch (err) {
    await packager.abort();
    throw err;
  }
}
