import { zlibSync } from "fflate";

/**
 * The pictures behind generated image URLs: small real PNG and baseline JPEG files, drawn from a hash of
 * the store's seed and the file's path, so every image differs from every other and the same URL answers
 * the same bytes on every request and in every run (image backups deduplicate by content hash).
 */

/** FNV-1a, then a xorshift stream: the colours of one picture. */
function colours(key: string): () => number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  let s = h || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s & 0xff;
  };
}

type Rgb = [number, number, number];

/** A picture of n×n cells: a diagonal blend between two colours with a few accent cells. */
function palette(key: string, cells: number): Rgb[] {
  const next = colours(key);
  const a: Rgb = [next(), next(), next()];
  const b: Rgb = [next(), next(), next()];
  const accent: Rgb = [255 - a[0], 255 - a[1], 255 - a[2]];
  const out: Rgb[] = [];
  for (let y = 0; y < cells; y++) {
    for (let x = 0; x < cells; x++) {
      const t = cells > 1 ? (x + y) / (2 * cells - 2) : 0;
      const mix: Rgb = [0, 1, 2].map((i) => Math.round(a[i] + (b[i] - a[i]) * t)) as Rgb;
      out.push(next() < 24 ? accent : mix);
    }
  }
  return out;
}

/** Pixel sizes of BigCommerce's CDN renditions, from the file name (`x.standard.jpg`, `x.tiny.png`). */
export function renditionSize(path: string): number {
  if (/\.tiny\.\w+$/i.test(path)) return 16;
  if (/\.thumbnail\.\w+$/i.test(path)) return 32;
  if (/\.standard\.\w+$/i.test(path)) return 48;
  return 64;
}

// ---------- PNG ----------

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** An RGB PNG of `size`×`size` pixels (8×8-pixel cells of `picture`) with the key in a tEXt chunk. */
export function pngImage(picture: string, key: string, size: number): Uint8Array {
  const cells = size / 8;
  const colors = palette(picture, cells);
  const raw = new Uint8Array(size * (1 + size * 3));
  for (let y = 0; y < size; y++) {
    const row = y * (1 + size * 3);
    raw[row] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      const c = colors[Math.floor(y / 8) * cells + Math.floor(x / 8)];
      raw.set(c, row + 1 + x * 3);
    }
  }
  const header = new Uint8Array(13);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, size);
  hv.setUint32(4, size);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit, RGB, deflate, adaptive filtering, no interlace
  const text = new TextEncoder().encode(`Comment\0${key}`);
  const parts = [
    Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
    chunk("IHDR", header),
    chunk("tEXt", text),
    chunk("IDAT", zlibSync(raw, { level: 9 })),
    chunk("IEND", new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

// ---------- JPEG (baseline, one flat colour per 8×8 block: DC coefficients only) ----------

/** BigCommerce's (and the JPEG standard's) luminance DC table; the AC table needs only end-of-block. */
const DC_BITS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
const DC_VALUES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const AC_BITS = [0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
const AC_VALUES = [0x00, 0x01];

function huffmanCodes(bits: number[], values: number[]): Map<number, { code: number; len: number }> {
  const codes = new Map<number, { code: number; len: number }>();
  let code = 0;
  let k = 0;
  for (let len = 1; len <= 16; len++) {
    for (let i = 0; i < bits[len - 1]; i++) codes.set(values[k++], { code: code++, len });
    code <<= 1;
  }
  return codes;
}
const DC_CODES = huffmanCodes(DC_BITS, DC_VALUES);
const EOB = huffmanCodes(AC_BITS, AC_VALUES).get(0x00) as { code: number; len: number };

class BitWriter {
  readonly bytes: number[] = [];
  private acc = 0;
  private n = 0;
  write(value: number, len: number): void {
    for (let i = len - 1; i >= 0; i--) {
      this.acc = (this.acc << 1) | ((value >> i) & 1);
      if (++this.n === 8) this.flushByte();
    }
  }
  private flushByte(): void {
    this.bytes.push(this.acc);
    if (this.acc === 0xff) this.bytes.push(0x00); // byte stuffing
    this.acc = 0;
    this.n = 0;
  }
  end(): number[] {
    while (this.n !== 0) this.write(1, 1); // pad with ones
    return this.bytes;
  }
}

const clamp = (v: number) => Math.max(0, Math.min(255, Math.round(v)));
function ycbcr([r, g, b]: Rgb): Rgb {
  return [
    clamp(0.299 * r + 0.587 * g + 0.114 * b),
    clamp(-0.168736 * r - 0.331264 * g + 0.5 * b + 128),
    clamp(0.5 * r - 0.418688 * g - 0.081312 * b + 128),
  ];
}

/** A baseline YCbCr JPEG of `size`×`size` pixels (`picture`'s cells) with the key in a comment segment. */
export function jpegImage(picture: string, key: string, size: number): Uint8Array {
  const cells = size / 8;
  const blocks = palette(picture, cells).map(ycbcr);
  const out: number[] = [0xff, 0xd8];
  const segment = (marker: number, data: number[] | Uint8Array) => {
    const len = data.length + 2;
    out.push(0xff, marker, len >> 8, len & 0xff, ...data);
  };
  segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1, 0, 0]); // JFIF 1.1
  segment(0xfe, new TextEncoder().encode(key.slice(0, 60_000)));
  segment(0xdb, [0x00, ...new Array(64).fill(1)]); // quantization table 0: all ones
  segment(0xc0, [8, size >> 8, size & 0xff, size >> 8, size & 0xff, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0]);
  segment(0xc4, [0x00, ...DC_BITS, ...DC_VALUES]);
  segment(0xc4, [0x10, ...AC_BITS, ...AC_VALUES]);
  segment(0xda, [3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 63, 0]);
  const bits = new BitWriter();
  const previous = [0, 0, 0];
  for (const block of blocks) {
    for (let c = 0; c < 3; c++) {
      // A flat 8×8 block of level-shifted value s has the DC coefficient 8·s.
      const dc = 8 * (block[c] - 128);
      const diff = dc - previous[c];
      previous[c] = dc;
      const magnitude = Math.abs(diff);
      let category = 0;
      while (magnitude >> category) category++;
      const code = DC_CODES.get(category) as { code: number; len: number };
      bits.write(code.code, code.len);
      if (category) bits.write(diff > 0 ? diff : diff + (1 << category) - 1, category);
      bits.write(EOB.code, EOB.len);
    }
  }
  out.push(...bits.end(), 0xff, 0xd9);
  return Uint8Array.from(out);
}

/** The generated file for a CDN path (`{store_hash}/products/1/1.jpg`): JPEG for .jpg/.jpeg, PNG otherwise. */
export function generatedImage(seed: number, relativePath: string): { bytes: Uint8Array; type: string } {
  const size = renditionSize(relativePath);
  const key = `${seed}:${relativePath}`;
  // The renditions of one image show the same picture at their own sizes.
  const picture = `${seed}:${relativePath.replace(/\.(tiny|thumbnail|standard)(\.\w+)$/i, "$2")}`;
  return /\.jpe?g$/i.test(relativePath)
    ? { bytes: jpegImage(picture, key, size), type: "image/jpeg" }
    : { bytes: pngImage(picture, key, size), type: "image/png" };
}
