/** Time source for the pacer and retries; tests inject a fake one. */
export type Clock = { now(): number; sleep(ms: number): Promise<void> };

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

export type PacerSnapshot = {
  quota: number | null;
  left: number | null;
  windowMs: number;
  resetAt: number;
  reservePct: number;
  calls: number;
  throttled: number;
  waitedMs: number;
  /** The fewest requests left in a window that a response reported: stays at or above the reserve. */
  minLeft: number | null;
};

/**
 * One store's API quota. BigCommerce's quota is per store and shared by every app installed on it,
 * so exactly one pacer exists per store: the one held by the store's Durable Object. It learns the
 * window from `X-Rate-Limit-*` headers, never dips into the reserve (a share of the quota kept free
 * for the merchant's other apps) and spreads the remaining calls evenly over what is left of the
 * window instead of bursting, so other apps never meet an empty bucket because of us.
 */
export class QuotaPacer {
  private quota: number | null = null;
  private left: number | null = null;
  private windowMs = 30_000;
  private resetAt = 0;
  private nextAt = 0;
  /** Consecutive 429s without rate headers (platform overload): drives the growing back-off. */
  private overloadStreak = 0;
  calls = 0;
  throttled = 0;
  waitedMs = 0;
  minLeft: number | null = null;
  /** The first back-off after a 429 without rate headers; doubles with each one in a row. */
  overloadBaseMs = 1_000;

  constructor(
    private readonly clock: Clock,
    public reservePct = 20,
  ) {}

  /** Waits until one call may go without touching the reserve, then counts it. */
  async acquire(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      if (this.quota === null || this.left === null) {
        this.calls++;
        return;
      }
      if (now >= this.resetAt) {
        // The window refilled since the last response told us otherwise.
        this.left = this.quota;
        this.resetAt = now + this.windowMs;
      }
      const reserve = Math.ceil((this.quota * this.reservePct) / 100);
      const usable = this.left - reserve;
      if (usable <= 0) {
        await this.wait(this.resetAt - now + 1);
        continue;
      }
      if (this.nextAt > now) {
        await this.wait(this.nextAt - now);
        continue;
      }
      this.nextAt = now + (this.resetAt - now) / usable;
      this.left--;
      this.calls++;
      return;
    }
  }

  /** Learns the quota from a response's headers (any status). */
  observe(headers: Headers): void {
    const quota = num(headers.get("x-rate-limit-requests-quota"));
    const left = num(headers.get("x-rate-limit-requests-left"));
    const windowMs = num(headers.get("x-rate-limit-time-window-ms"));
    const resetMs = num(headers.get("x-rate-limit-time-reset-ms"));
    if (quota !== null) this.quota = quota;
    if (left !== null) {
      this.left = left;
      this.minLeft = this.minLeft === null ? left : Math.min(this.minLeft, left);
    }
    if (windowMs !== null && windowMs > 0) this.windowMs = windowMs;
    if (resetMs !== null) this.resetAt = this.clock.now() + resetMs;
    if (quota !== null) this.overloadStreak = 0;
  }

  /**
   * A 429: with rate headers, sleep until the window resets; without them (platform overload),
   * back off 1 s, 2 s, 4 s ... up to 60 s.
   */
  async onThrottled(headers: Headers): Promise<void> {
    this.throttled++;
    const resetMs = num(headers.get("x-rate-limit-time-reset-ms"));
    if (resetMs !== null) {
      this.observe(headers);
      this.left = 0;
      await this.wait(resetMs + 1);
      return;
    }
    const delay = Math.min(60_000, this.overloadBaseMs * 2 ** this.overloadStreak);
    this.overloadStreak++;
    await this.wait(delay);
  }

  /** Calls per millisecond this pacer will sustain (for ETAs); null until the quota is known. */
  rate(): number | null {
    if (this.quota === null) return null;
    const usable = this.quota - Math.ceil((this.quota * this.reservePct) / 100);
    return Math.max(usable, 1) / this.windowMs;
  }

  snapshot(): PacerSnapshot {
    return {
      quota: this.quota,
      left: this.left,
      windowMs: this.windowMs,
      resetAt: this.resetAt,
      reservePct: this.reservePct,
      calls: this.calls,
      throttled: this.throttled,
      waitedMs: this.waitedMs,
      minLeft: this.minLeft,
    };
  }

  private async wait(ms: number) {
    if (ms <= 0) return;
    this.waitedMs += ms;
    await this.clock.sleep(ms);
  }
}

function num(v: string | null): number | null {
  if (v === null || v === "") return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}
