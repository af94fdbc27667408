import type { Hono } from "hono";
import type { SandboxState } from "./engine/context.ts";

/** A valid 1x1 JPEG; each served file gets its own comment segment so files differ (image backups dedupe by hash). */
const TINY_JPEG = Uint8Array.from(
  atob(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/9oACAEBAAA/APvT/9k=",
  ),
  (ch) => ch.charCodeAt(0),
);

export function placeholderJpeg(label: string): Uint8Array {
  const comment = new TextEncoder().encode(label.slice(0, 60000));
  const out = new Uint8Array(TINY_JPEG.length + 4 + comment.length);
  out.set(TINY_JPEG.subarray(0, 2), 0); // SOI
  out.set([0xff, 0xfe, (comment.length + 2) >> 8, (comment.length + 2) & 0xff], 2); // COM segment
  out.set(comment, 6);
  out.set(TINY_JPEG.subarray(2), 6 + comment.length);
  return out;
}

/**
 * `GET /__sandbox/cdn/{hash}/...`: the store's image files. Uploaded files come back as uploaded;
 * generated image URLs answer a small JPEG unique to the path. Unknown stores answer 404.
 */
export function mountCdn(app: Hono, state: SandboxState): void {
  app.get("/__sandbox/cdn/:hash/*", (c) => {
    const store = state.stores.get(c.req.param("hash"));
    if (!store) return c.body(null, 404);
    const path = new URL(c.req.url).pathname;
    const uploaded = store.files.get(path);
    if (uploaded)
      return c.body(uploaded.bytes as Uint8Array<ArrayBuffer>, 200, { "content-type": uploaded.type });
    if (!/\.(jpe?g|png|gif|webp)$/i.test(path)) return c.body(null, 404);
    return c.body(placeholderJpeg(path) as Uint8Array<ArrayBuffer>, 200, {
      "content-type": "image/jpeg",
      "cache-control": "public, max-age=31536000, immutable",
    });
  });
}
