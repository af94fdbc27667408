import { createHash } from "node:crypto";
import { constants, crc32, deflateRawSync } from "node:zlib";
import { type AsyncFlateStreamHandler, Zip, type ZipInputFile } from "fflate";

export const MIB = 1024 * 1024;
/** R2 parts must be equal-sized except the last, and at least 5 MiB. */
export const MIN_PART_BYTES = 5 * MIB;

export type WrittenFile = { name: string; bytes: number; sha256: string };

/** 0 stores a file as it is (images are compressed already); 1–9 deflate it. */
export type ZipLevel = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;

/**
 * Level 2: on this export's JSON and CSV, native zlib deflates as fast at level 2 as at 1 (≈ 300 MB
 * per CPU-second) for a 6% smaller ZIP; level 6 is 2.9× slower for a ZIP 21% smaller than level 2's
 * (docs/BENCHMARKS.md, "Export in Node").
 */
export const DEFAULT_LEVEL: ZipLevel = 2;

/** The final, empty block that ends a raw DEFLATE stream (BFINAL=1, fixed Huffman, end-of-block). */
const FINAL_BLOCK = new Uint8Array([0x03, 0x00]);

/**
 * One file of the archive, deflated by the runtime's native zlib (`node:zlib`, in workerd and Node)
 * instead of fflate's JavaScript deflate. Each written chunk is compressed on its own and ends with
 * a sync flush (byte-aligned, not final), so the chunks concatenate into one valid DEFLATE stream
 * without keeping a zlib stream open across awaits; the dictionary restarts per chunk, which costs
 * little on chunks of a staged page (tens of KB and more). CRC-32 is native too.
 */
class NativeZipFile implements ZipInputFile {
  size = 0;
  crc = 0;
  readonly compression: number;
  readonly mtime = Date.now();
  ondata?: AsyncFlateStreamHandler;

  constructor(
    readonly filename: string,
    private readonly level: ZipLevel,
  ) {
    this.compression = level === 0 ? 0 : 8;
  }

  push(chunk: Uint8Array, final: boolean) {
    if (!this.ondata) throw new Error("file not added to the archive");
    let out: Uint8Array<ArrayBuffer> = chunk as Uint8Array<ArrayBuffer>;
    if (chunk.length) {
      this.crc = crc32(chunk, this.crc);
      this.size += chunk.length;
      if (this.level > 0) {
        const z = deflateRawSync(chunk, { level: this.level, finishFlush: constants.Z_SYNC_FLUSH });
        out = new Uint8Array(z.buffer as ArrayBuffer, z.byteOffset, z.byteLength);
      }
    }
    this.emit(out, final);
  }

  /**
   * Bytes already deflated as one sync-flushed chunk (staged pages are): CRC-32 and size come from
   * `raw`, the chunk goes into the stream as it is. A stored file (level 0) takes `raw` instead.
   */
  pushDeflated(raw: Uint8Array, deflated: Uint8Array) {
    if (this.level === 0) return this.push(raw, false);
    if (!this.ondata) throw new Error("file not added to the archive");
    this.crc = crc32(raw, this.crc);
    this.size += raw.length;
    this.emit(deflated as Uint8Array<ArrayBuffer>, false);
  }

  private emit(chunk: Uint8Array<ArrayBuffer>, final: boolean) {
    let out = chunk;
    if (final && this.level > 0) {
      // Z_SYNC_FLUSH chunks never set BFINAL: close the stream with one empty final block.
      const closed = new Uint8Array(out.length + FINAL_BLOCK.length);
      closed.set(out);
      closed.set(FINAL_BLOCK, out.length);
      out = closed;
    }
    this.ondata?.(null, out, final);
  }
}

/**
 * One ZIP archive streamed into an R2 multipart upload. fflate writes the ZIP structure (headers,
 * data descriptors, central directory); compressed bytes are copied into a fixed-size part buffer,
 * and each full part is uploaded while the next one fills (two part buffers, at most one upload in
 * flight). Memory stays at two parts plus one written chunk, whatever the archive's size.
 */
export class R2ZipWriter {
  private readonly zip: Zip;
  private upload: R2MultipartUpload | null = null;
  private readonly parts: R2UploadedPart[] = [];
  private part: Uint8Array;
  private spare: Uint8Array | null;
  private fill = 0;
  /** The part being uploaded; awaited before its buffer is reused. */
  private inFlight: Promise<void> | null = null;
  /** Bytes fflate emitted but not yet copied into the part buffer (copying happens in drain()). */
  private pending: Uint8Array[] = [];
  private ended = false;
  private error: Error | null = null;
  /** Bytes of ZIP written so far (uploaded + buffered). */
  bytes = 0;
  readonly files: WrittenFile[] = [];

  constructor(
    private readonly bucket: R2Bucket,
    readonly key: string,
    private readonly partBytes = MIN_PART_BYTES,
    private readonly level: ZipLevel = DEFAULT_LEVEL,
    /** R2 custom metadata of the ZIP object (where its data came from). */
    private readonly metadata: Record<string, string> = {},
  ) {
    this.part = new Uint8Array(partBytes);
    this.spare = null;
    this.zip = new Zip((err, data, final) => {
      if (err) this.error = err;
      else {
        if (data.length) this.pending.push(data);
        if (final) this.ended = true;
      }
    });
  }

  /** Opens a file in the archive; write to it, then `end()` it before opening the next. */
  open(name: string, opts: { store?: boolean } = {}): ZipFileSink {
    const file = new NativeZipFile(name, opts.store ? 0 : this.level);
    this.zip.add(file);
    return new ZipFileSink(name, file, this);
  }

  /** Moves emitted bytes into the part buffer, uploading each part as it fills. */
  async drain(): Promise<void> {
    if (this.error) throw this.error;
    while (this.pending.length) {
      const chunk = this.pending.shift() as Uint8Array;
      let at = 0;
      while (at < chunk.length) {
        const n = Math.min(chunk.length - at, this.part.length - this.fill);
        this.part.set(chunk.subarray(at, at + n), this.fill);
        this.fill += n;
        at += n;
        this.bytes += n;
        if (this.fill === this.part.length) await this.flushPart();
      }
    }
  }

  /** Starts uploading the full part and switches to the other buffer (waiting for its upload first). */
  private async flushPart() {
    if (!this.fill) return;
    this.upload ??= await this.bucket.createMultipartUpload(this.key, {
      httpMetadata: { contentType: "application/zip" },
      customMetadata: this.metadata,
    });
    const body = this.fill === this.part.length ? this.part : this.part.slice(0, this.fill);
    const upload = this.upload;
    const number = this.parts.length + 1;
    // Reserve the slot so parts stay in order whatever order the uploads finish in.
    this.parts.push({ partNumber: number, etag: "" });
    await this.inFlight;
    this.inFlight = upload.uploadPart(number, body).then((p) => {
      this.parts[number - 1] = p;
    });
    const next = this.spare ?? new Uint8Array(this.partBytes);
    this.spare = this.part;
    this.part = next;
    this.fill = 0;
  }

  /** Writes the central directory and completes the upload; returns the archive's size. */
  async finish(): Promise<number> {
    this.zip.end();
    await this.drain();
    if (!this.ended) throw new Error("ZIP stream did not end");
    if (!this.upload) {
      // Smaller than one part: a single PUT is cheaper than a multipart upload.
      await this.bucket.put(this.key, this.part.slice(0, this.fill), {
        httpMetadata: { contentType: "application/zip" },
        customMetadata: this.metadata,
      });
      this.fill = 0;
    } else {
      await this.flushPart();
      await this.inFlight;
      await this.upload.complete(this.parts);
    }
    this.spare = null;
    return this.bytes;
  }

  async abort(): Promise<void> {
    try {
      await this.inFlight?.catch(() => undefined);
      await this.upload?.abort();
    } catch {
      // Unfinished uploads are aborted by R2 after 7 days anyway; the original error matters more.
    }
  }

  /** @internal */
  recordFile(file: WrittenFile) {
    this.files.push(file);
  }
}

const encoder = new TextEncoder();

/** One file inside the archive: counts its bytes and hashes them (SHA-256, for the manifest) as they stream. */
export class ZipFileSink {
  private readonly hash = createHash("sha256");
  bytes = 0;

  constructor(
    readonly name: string,
    private readonly file: NativeZipFile,
    private readonly writer: R2ZipWriter,
  ) {}

  async write(data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === "string" ? encoder.encode(data) : data;
    if (!bytes.length) return;
    this.hash.update(bytes);
    this.bytes += bytes.length;
    this.file.push(bytes, false);
    await this.writer.drain();
  }

  /** Bytes with their DEFLATE chunk when they have one (a staged section), copied without deflating again. */
  async writeDeflated(raw: Uint8Array, deflated: Uint8Array | null): Promise<void> {
    if (!deflated) return this.write(raw);
    if (!raw.length) return;
    this.hash.update(raw);
    this.bytes += raw.length;
    this.file.pushDeflated(raw, deflated);
    await this.writer.drain();
  }

  async end(): Promise<WrittenFile> {
    this.file.push(new Uint8Array(0), true);
    await this.writer.drain();
    const written = { name: this.name, bytes: this.bytes, sha256: this.hash.digest("hex") };
    this.writer.recordFile(written);
    return written;
  }
}
