import { bodiesFrom } from "../backup/body-deflate";
import { readVersionBody, type VersionLocation } from "../backup/vault-read";
import { packKey } from "../backup/vault-writer";

/** Above this many bodies from one pack, one whole-pack read beats range reads. */
const WHOLE_PACK_AT = 8;

/**
 * Many version bodies at once (a type's state when relinking references): versions sharing a pack
 * are read with one R2 request instead of one per version.
 */
export async function readBodies<V extends VersionLocation & { id: number }>(
  env: Env,
  versions: V[],
): Promise<Map<number, Record<string, unknown>>> {
  const out = new Map<number, Record<string, unknown>>();
  const byPack = new Map<string, V[]>();
  for (const v of versions) {
    if (v.change === "deleted" || !v.packId) continue;
    byPack.set(v.packId, [...(byPack.get(v.packId) ?? []), v]);
  }
  for (const [packId, list] of byPack) {
    if (list.length < WHOLE_PACK_AT) {
      for (const v of list) {
        const body = await readVersionBody(env, v);
        if (body) out.set(v.id, body);
      }
      continue;
    }
    const obj = await env.VAULT.get(packKey(list[0].storeHash, packId));
    if (!obj) throw new Error(`Pack ${packId} is missing from the vault`);
    const pack = new Uint8Array(await obj.arrayBuffer());
    const bodies = bodiesFrom(
      pack,
      0,
      list.map((v) => ({
        offset: v.offset as number,
        length: v.length as number,
        bodyOffset: v.bodyOffset,
        size: v.size,
      })),
    );
    const decoder = new TextDecoder();
    for (const [i, v] of list.entries()) out.set(v.id, JSON.parse(decoder.decode(bodies[i])));
  }
  return out;
}
