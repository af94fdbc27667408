import { expect } from "vitest";
import { findOperation, type SchemaPatch, validateRequest, validateResponse } from "./openapi.ts";
import type { sandboxStore } from "./sandbox-client.ts";

type Api = Awaited<ReturnType<typeof sandboxStore>>["api"];
type Patch = SchemaPatch | undefined;

/**
 * A write as the contract tests send it: the body is checked against BigCommerce's request schema,
 * sent, and the answer's status and body are checked against the response schema.
 */
export function contractWriter(
  dir: string,
  api: () => Api,
  patches: {
    request: (method: string, path: string) => Patch;
    response: (method: string, path: string) => Patch;
  },
) {
  return async function write(method: string, path: string, body: unknown, expected = [200, 201, 207]) {
    const op = findOperation(dir, method, path);
    expect(op, `${method} ${path} is in the specs`).not.toBeNull();
    if (!op) throw new Error("unreachable");
    const req = validateRequest(op, body, patches.request(method, path));
    expect(req.errors, `request body of ${method} ${op.template}`).toEqual([]);
    const res = await api()(method, path, body);
    expect(expected, `${method} ${path} -> ${res.status} ${res.text.slice(0, 300)}`).toContain(res.status);
    const check = validateResponse(op, res.status, res.body, patches.response(method, path));
    expect(check.errors, `response of ${method} ${op.template}`).toEqual([]);
    return res.body;
  };
}

/** GETs every path and validates each 200 answer against its response schema; returns what failed. */
export async function checkReads(dir: string, api: Api, paths: string[], patchFor: (path: string) => Patch) {
  const failures: string[] = [];
  const unmatched: string[] = [];
  for (const path of paths) {
    const op = findOperation(dir, "GET", path);
    if (!op) {
      unmatched.push(path);
      continue;
    }
    const res = await api("GET", path);
    if (res.status !== 200) {
      failures.push(`${path}: status ${res.status} ${res.text.slice(0, 200)}`);
      continue;
    }
    const check = validateResponse(op, res.status, res.body, patchFor(path));
    if (check.skipped) failures.push(`${path}: ${check.skipped} in ${op.template}`);
    if (!check.ok) failures.push(`${path} (${op.template}):\n  ${check.errors.join("\n  ")}`);
  }
  return { failures, unmatched };
}
