import type { Readable } from "node:stream";

/**
 * Echoes a benchmark child's stdout and hands every line that carries `marker` (e.g. `BENCH_RESULT`)
 * to `onMessage`, parsed from the JSON that follows the marker.
 */
export function onMarkedLines<T>(stdout: Readable, marker: string, onMessage: (message: T) => void) {
  const tag = `${marker} `;
  let buffer = "";
  stdout.on("data", (chunk: Buffer) => {
    process.stdout.write(chunk);
    buffer += chunk.toString("utf8");
    let nl = buffer.indexOf("\n");
    while (nl >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      const at = line.indexOf(tag);
      if (at >= 0) onMessage(JSON.parse(line.slice(at + tag.length)) as T);
      nl = buffer.indexOf("\n");
    }
  });
}
