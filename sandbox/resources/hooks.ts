import { defineResource } from "../engine/collection.ts";

const LOCAL_HOSTS = /^(localhost|127\.0\.0\.1|\[::1\]|.*\.test|.*\.localhost)$/;

/**
 * `/v3/hooks`: a client sees and manages only its own hooks; one hook per store + client + scope + destination.
 * BigCommerce requires https on 443; plain http is accepted here for local hosts only, so `npm start` works.
 */
export const hooks = defineResource({
  name: "hooks",
  version: "v3",
  path: "/hooks",
  scope: { read: [], write: [] },
  defaults: {
    scope: "",
    destination: "",
    is_active: true,
    headers: null,
    client_id: "",
    store_hash: "",
    created_at: 0,
    updated_at: 0,
  },
  types: { headers: "object" },
  readOnly: ["client_id", "store_hash", "created_at", "updated_at"],
  required: ["scope", "destination"],
  filters: ["is_active", "scope", "destination"],
  deleteReturnsBody: true,
  visible: (rec, ctx) => ctx.grant.scopes === "all" || rec.client_id === ctx.grant.clientId,
  validate: (input, ctx, existing) => {
    const errors: Record<string, string> = {};
    if (input.destination !== undefined) {
      let url: URL | null = null;
      try {
        url = new URL(String(input.destination));
      } catch {
        errors.destination = "destination must be a valid URL";
      }
      if (
        url &&
        !(url.protocol === "https:" && (url.port === "" || url.port === "443")) &&
        !LOCAL_HOSTS.test(url.hostname)
      ) {
        errors.destination = "destination must use https on port 443";
      }
    }
    if (input.scope !== undefined && !/^store\/[A-Za-z0-9_/{}*.-]+$/.test(String(input.scope))) {
      errors.scope = "scope is not a valid webhook scope";
    }
    const scope = input.scope ?? existing?.scope;
    const destination = input.destination ?? existing?.destination;
    const clash = ctx.store
      .table("hooks")
      .all()
      .find(
        (h) =>
          h.id !== existing?.id &&
          h.client_id === ctx.grant.clientId &&
          h.scope === scope &&
          h.destination === destination,
      );
    if (clash) errors.scope = "A webhook for this scope and destination already exists";
    return Object.keys(errors).length ? errors : undefined;
  },
  build: (rec, _input, ctx, existing) => {
    const t = Math.floor(ctx.now / 1000);
    if (!existing) {
      rec.client_id = ctx.grant.clientId;
      rec.store_hash = ctx.store.hash;
      rec.created_at = t;
    }
    rec.updated_at = t;
  },
  noExport: true,
});
