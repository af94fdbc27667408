import { createHash } from "node:crypto";
import { Zip, ZipDeflate } from "fflate";

export const MIB = 1024 * 1024;
/** R2 parts must be equal-sized except the last, and at least 5 MiB. */
export const MIN_PART_BYTES = 5 * MIB;

export type WrittenFile = { name: string; bytes: number; sha256: string };

/**
 * One ZIP archive streamed into an R2 multipart upload. fflate emits compressed bytes synchronously
 * as files are pushed; they are copied into a single fixed-size part buffer, and each full buffer is
 * uploaded (awaited) before more input is accepted. Memory stays at one part plus the deflate
 * window, whatever the archive's size.
 */
export class R2ZipWriter {
  private readonly zip: Zip;
  private upload: R2MultipartUpload | null = null;
  private readonly parts: R2UploadedPart[] = [];
  private part: Uint8Array;
  private fill = 0;
  /** Compressed bytes fflate emitted but not yet copied into the part buffer (copy happens in drain()). */
  private pending: Uint8Array[] = [];
  private ended = false;
  private error: Error | null = null;
  /** Bytes of ZIP written so far (uploaded + buffered). */
  bytes = 0;
  readonly files: WrittenFile[] = [];

  constructor(
    private readonly bucket: R2Bucket,
    readonly key: string,
    partBytes = 8 * MIB,
    private readonly level: 1 | 2 | 3 | 4 | 5 | 6 = 5,
  ) {
    this.part = new Uint8Array(partBytes);
    this.zip = new Zip((err, data, final) => {
      if (err) this.error = err;
      else {
        if (data.length) this.pending.push(data);
        if (final) this.ended = true;
      }
    });
  }

  /** Opens a file in the archive; write to it, then `end()` it before opening the next. */
  open(name: string): ZipFileSink {
    const file = new ZipDeflate(name, { level: this.level });
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

  private async flushPart() {
    if (!this.fill) return;
    this.upload ??= await this.bucket.createMultipartUpload(this.key, {
      httpMetadata: { contentType: "application/zip" },
    });
    const body = this.fill === this.part.length ? this.part : this.part.slice(0, this.fill);
    this.parts.push(await this.upload.uploadPart(this.parts.length + 1, body));
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
      });
      this.fill = 0;
    } else {
      await this.flushPart();
      await this.upload.complete(this.parts);
    }
    return this.bytes;
  }

  async abort(): Promise<void> {
    try {
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
    private readonly file: ZipDeflate,
    private readonly writer: R2ZipWriter,
  ) {}

  async write(data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === "string" ? encoder.encode(data) : data;
    if (!bytes.length) return;
    this.hash.update(bytes);
    this.bytes += bytes.length;
    this.file.push(bytes);
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
