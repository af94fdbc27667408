/**
 * A token BigCommerce accepted is taken as still accepted for this long: opening Quick Export again
 * (or starting the export it shows) spends no API call. Acting on a stale answer is harmless: a live
 * export whose token is refused mid-way restarts from the latest backup. Refusals are not kept, so
 * a merchant who reconnects sees the live option at once. Kept in the colo's cache.
 */
const TOKEN_ACCEPTED_TTL_S = 120;

const keyOf = (storeHash: string) =>
  `https://strongbox.internal/token-accepted/${encodeURIComponent(storeHash)}`;

/** The colo's cache (absent in some runtimes: then every check makes its call). */
const cache = (): Cache | null => (typeof caches === "undefined" ? null : caches.default);

export async function tokenAcceptedRecently(storeHash: string): Promise<boolean> {
  return Boolean(
    await cache()
      ?.match(keyOf(storeHash))
      .catch(() => undefined),
  );
}

export async function rememberTokenAccepted(storeHash: string): Promise<void> {
  await cache()
    ?.put(
      keyOf(storeHash),
      new Response("accepted", { headers: { "cache-control": `max-age=${TOKEN_ACCEPTED_TTL_S}` } }),
    )
    .catch(() => undefined);
}

/** A refusal seen elsewhere (an export's call): the next check asks BigCommerce again. */
export async function forgetTokenAccepted(storeHash: string): Promise<void> {
  await cache()
    ?.delete(keyOf(storeHash))
    .catch(() => undefined);
}
