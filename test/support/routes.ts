import { exports } from "cloudflare:workers";

export type ApiRoute = {
  method: string;
  /** OpenAPI path, e.g. /api/vault/items/{type}/{id} */
  path: string;
  pathParams: string[];
  queryParams: string[];
  hasBody: boolean;
};

/** Paths that answer without a session. */
export const PUBLIC_API = new Set(["/api/health", "/api/openapi.json"]);

/** Every `/api` route the app documents: the suites below cover new routes without being edited. */
export async function apiRoutes(): Promise<ApiRoute[]> {
  const doc = await (await exports.default.fetch("http://app.test/api/openapi.json")).json<{
    paths: Record<
      string,
      Record<string, { parameters?: { in: string; name: string }[]; requestBody?: unknown }>
    >;
  }>();
  const routes: ApiRoute[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const params = op.parameters ?? [];
      routes.push({
        method: method.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === "path").map((p) => p.name),
        queryParams: params.filter((p) => p.in === "query").map((p) => p.name),
        hasBody: op.requestBody !== undefined || !["GET", "HEAD", "DELETE"].includes(method.toUpperCase()),
      });
    }
  }
  return routes;
}

/** Fills `{param}` placeholders; `pick(param, segmentBefore)` chooses each value. */
export function fillPath(route: ApiRoute, pick: (param: string, segmentBefore: string) => string): string {
  return route.path.replace(/\{([^}]+)\}/g, (_m, name: string, offset: number) => {
    const before = route.path.slice(0, offset).split("/").filter(Boolean).at(-1) ?? "";
    return encodeURIComponent(pick(name, before));
  });
}
