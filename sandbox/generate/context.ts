import { createRecord, type ResourceDef, type WriteOptions } from "../engine/collection.ts";
import type { Ctx } from "../engine/context.ts";
import { Rng } from "../engine/rng.ts";
import type { Profile } from "../engine/store.ts";
import type { Rec } from "../engine/table.ts";

/** What a generator gets: a deterministic PRNG of its own, the profile, and record creation through the API rules. */
export class GenContext {
  readonly rng: Rng;
  constructor(
    readonly ctx: Ctx,
    readonly profile: Profile,
    seed: number,
    generatorName: string,
  ) {
    let h = seed >>> 0;
    for (const ch of generatorName) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
    this.rng = new Rng(h);
  }

  get now(): number {
    return this.ctx.now;
  }

  /** Picks the size for the current profile. */
  size(sizes: Record<Profile, number>): number {
    return sizes[this.profile];
  }

  /** A past moment within the last `days` days (records are spread over two years by default). */
  past(days = 730): number {
    return this.ctx.now - Math.floor(this.rng.next() * days * 86_400_000);
  }

  /** Base URL of the store's generated files: `{origin}/__sandbox/cdn/{hash}`. */
  get cdn(): string {
    return `${this.ctx.state.origin}/__sandbox/cdn/${this.ctx.store.hash}`;
  }

  resource(name: string): ResourceDef {
    const def = this.ctx.state.resources.get(name);
    if (!def) throw new Error(`generator: unknown resource ${name}`);
    return def;
  }

  /**
   * Creates a record with the same defaults, validation and server fields as a POST.
   * `parent` is the parent record for nested resources.
   */
  create(name: string, input: Rec, opts: WriteOptions & { parent?: Rec } = {}): Rec {
    const prev = this.ctx.parent;
    this.ctx.parent = opts.parent;
    try {
      return createRecord(this.resource(name), input, this.ctx, opts);
    } finally {
      this.ctx.parent = prev;
    }
  }
}

export interface Generator {
  name: string;
  generate(g: GenContext): void;
}
