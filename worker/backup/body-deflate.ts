import { constants, createDeflateRaw, deflateRawSync, inflateRawSync } from "node:zlib";
import { concatBytes } from "../lib/bytes";

/**
 * Version bodies are raw DEFLATE, compressed in **frames**: up to FRAME_MAX_BODIES bodies or
 * FRAME_MAX_RAW bytes of a page share one stream, each body ending in a sync flush (so its bytes end
 * on a byte boundary and decode without what follows), the frame's last in a full flush (which forgets
 * the history, so the next frame starts on its own) plus an empty final block. A version's range runs
 * from its frame's start through its own body: inflated, it gives the frame's earlier bodies and then
 * its own, which starts `bodyOffset` bytes in (a `versions.body_offset` of 0 is a body alone, as every
 * body was before frames).
 *
 * Why frames: records of one type repeat their field names and much of their values, and a body that
 * can see its neighbours compresses 2.3× smaller (rs-10k orders: 10.7% of the canonical bytes, against
 * 24.1% each on its own) in about half the CPU (fewer literals to code). The price is read
 * amplification, bounded by the frame: one version's read inflates at most FRAME_MAX_RAW bytes more.
 *
 * The stream is Node's zlib handle as workerd exposes it (not public API): `deflateRawSync` per call
 * would set up and tear down 256 KB of zlib state per body and could not share history. It is checked
 * on a sample before first use, and any surprise falls back to one `deflateRawSync` per body (each its
 * own frame) for good. Level 1: with the history shared, levels 1 and 3 differ by 1% in size.
 */
const LEVEL = 1;
const FRAME_MAX_BODIES = 64;
const FRAME_MAX_RAW = 128 * 1024;
/** BFINAL = 1, BTYPE = 01 (fixed Huffman), end-of-block code: 10 bits, written LSB first. */
const FINAL_EMPTY_BLOCK = [0x03, 0x00];

/** One body's share of its frame: the compressed bytes after the previous body's, in pack order. */
export type DeflatedBody = {
  bytes: Uint8Array;
  /** It starts a frame (its range starts at its own bytes). */
  first: boolean;
  /** It ends a frame (nothing after it depends on its bytes). */
  last: boolean;
  /** Bytes of the frame's earlier bodies: where this body starts in its range's inflated bytes. */
  bodyOffset: number;
};

type ZlibHandle = {
  writeSync(
    flush: number,
    input: Uint8Array,
    inOff: number,
    inLen: number,
    out: Uint8Array,
    outOff: number,
    outLen: number,
  ): void;
};
type Stream = { handle: ZlibHandle; state: Uint32Array };

let stream: Stream | null | undefined;

function openStream(): Stream | null {
  try {
    const d = createDeflateRaw({ level: LEVEL }) as unknown as {
      _handle?: ZlibHandle;
      _writeState?: Uint32Array;
    };
    if (typeof d._handle?.writeSync !== "function" || !(d._writeState instanceof Uint32Array)) return null;
    return { handle: d._handle, state: d._writeState };
  } catch {
    return null;
  }
}

/** Room for one body however badly it compresses: stored blocks, the flush markers, the final block. */
const bound = (n: number) => n + (n >> 3) + (n >> 6) + 64;

function deflateWith(s: Stream, bodies: Uint8Array[]): DeflatedBody[] {
  let room = 0;
  for (const b of bodies) room += bound(b.byteLength);
  const out = new Uint8Array(room);
  let at = 0;
  let frameBodies = 0;
  let frameRaw = 0;
  return bodies.map((body, i) => {
    // No input to flush: zlib would report no progress. Never a canonical JSON body; kept whole.
    if (body.byteLength === 0) {
      return { bytes: deflateRawSync(body, { level: LEVEL }), first: true, last: true, bodyOffset: 0 };
    }
    const first = frameBodies === 0;
    const bodyOffset = frameRaw;
    frameBodies++;
    frameRaw += body.byteLength;
    const next = bodies[i + 1];
    const last =
      next === undefined ||
      next.byteLength === 0 ||
      frameBodies >= FRAME_MAX_BODIES ||
      frameRaw + next.byteLength > FRAME_MAX_RAW;
    const start = at;
    const limit = start + bound(body.byteLength) - FINAL_EMPTY_BLOCK.length;
    s.handle.writeSync(
      last ? constants.Z_FULL_FLUSH : constants.Z_SYNC_FLUSH,
      body,
      0,
      body.byteLength,
      out,
      at,
      limit - at,
    );
    const [outLeft, inLeft] = s.state;
    // Everything went in and the flush completed with room to spare, else this is not the zlib we know.
    if (inLeft !== 0 || outLeft === 0) throw new Error("zlib stream did not take the whole body");
    at = limit - outLeft;
    if (last) {
      out[at++] = FINAL_EMPTY_BLOCK[0];
      out[at++] = FINAL_EMPTY_BLOCK[1];
      frameBodies = 0;
      frameRaw = 0;
    }
    return { bytes: out.subarray(start, at), first, last, bodyOffset };
  });
}

/** The ranges readers will see: each body's frame start through its own end. */
function rangesOf(parts: DeflatedBody[]): Uint8Array[] {
  const ranges: Uint8Array[] = [];
  let frame: Uint8Array[] = [];
  for (const p of parts) {
    if (p.first) frame = [];
    frame.push(p.bytes);
    ranges.push(concatBytes(frame));
  }
  return ranges;
}

function streamWorks(s: Stream): boolean {
  const sample = new TextEncoder().encode(JSON.stringify({ a: "x".repeat(300), b: [1, 2, 3], c: "é" }));
  const samples = [sample, sample.subarray(7), sample, sample.subarray(0, 40)];
  try {
    const parts = deflateWith(s, samples);
    const ranges = rangesOf(parts);
    return parts.every((p, i) => equal(inflateRange(ranges[i]).subarray(p.bodyOffset), samples[i]));
  } catch {
    return false;
  }
}

/** Each body's share of its frame, in order: a pack lays them out back to back. */
export function deflateBodies(bodies: Uint8Array[]): DeflatedBody[] {
  if (stream === undefined) {
    const s = openStream();
    stream = s && streamWorks(s) ? s : null;
  }
  if (stream) {
    try {
      return deflateWith(stream, bodies);
    } catch (err) {
      console.error("zlib stream failed; bodies are deflated one call each from now on", err);
      stream = null;
    }
  }
  return bodies.map((b) => ({
    bytes: deflateRawSync(b, { level: LEVEL }),
    first: true,
    last: true,
    bodyOffset: 0,
  }));
}

/**
 * A version's range inflated: its frame's earlier bodies, then its own. A range that ends inside a
 * frame has no final block: inflating stops at its last sync flush instead of failing.
 */
export function inflateRange(range: Uint8Array): Uint8Array {
  return inflateRawSync(range, { finishFlush: constants.Z_SYNC_FLUSH });
}

/** What locates one body inside a pack (a version row's columns). */
export type BodyPlace = { offset: number; length: number; bodyOffset: number; size: number };

/**
 * Bodies out of bytes read from a pack (`base` = the pack offset of `bytes[0]`): each frame is
 * inflated once, through its farthest wanted body, and every wanted body is cut out of it.
 */
export function bodiesFrom(bytes: Uint8Array, base: number, places: BodyPlace[]): Uint8Array[] {
  const longest = new Map<number, number>();
  for (const p of places) longest.set(p.offset, Math.max(longest.get(p.offset) ?? 0, p.length));
  const inflated = new Map<number, Uint8Array>();
  return places.map((p) => {
    let frame = inflated.get(p.offset);
    if (!frame) {
      const at = p.offset - base;
      frame = inflateRange(bytes.subarray(at, at + (longest.get(p.offset) as number)));
      inflated.set(p.offset, frame);
    }
    // The farthest range ends with its own body: the rest of the frame is it, whatever `size` says.
    return p.length === longest.get(p.offset)
      ? frame.subarray(p.bodyOffset)
      : frame.subarray(p.bodyOffset, p.bodyOffset + p.size);
  });
}

const equal = (a: Uint8Array, b: Uint8Array) =>
  a.byteLength === b.byteLength && a.every((x, i) => x === b[i]);
