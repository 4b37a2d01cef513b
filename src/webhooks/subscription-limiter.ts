/**
 * Per-subscription admission: at most `maxInFlight` requests at once and, if set, at most
 * `ratePerSecond` started per second (a token bucket holding one second's worth). Each
 * subscription has its own, so a slow or rate-limited subscriber only ever waits on itself.
 */
export class SubscriptionLimiter {
  private inFlight = 0;
  private tokens: number;
  private refilledAt: number;

  constructor(
    private maxInFlight: number,
    private ratePerSecond: number | null,
    now: number,
  ) {
    this.tokens = ratePerSecond ?? 0;
    this.refilledAt = now;
  }

  /** Requests started and not yet answered. */
  get active(): number {
    return this.inFlight;
  }

  /** Room for more requests now, ignoring the rate. */
  get freeSlots(): number {
    return Math.max(0, this.maxInFlight - this.inFlight);
  }

  /** Takes a slot (and a token) if a request may start at `now`. */
  tryStart(now: number): boolean {
    if (this.inFlight >= this.maxInFlight) return false;
    if (this.ratePerSecond !== null) {
      this.refill(now);
      if (this.tokens < 1) return false;
      this.tokens -= 1;
    }
    this.inFlight++;
    return true;
  }

  /** Gives the slot back when the request is answered. */
  finish(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }

  reconfigure(maxInFlight: number, ratePerSecond: number | null, now: number): void {
    if (ratePerSecond !== this.ratePerSecond) {
      this.ratePerSecond = ratePerSecond;
      this.tokens = Math.min(this.tokens, ratePerSecond ?? 0);
      this.refilledAt = now;
    }
    this.maxInFlight = maxInFlight;
  }

  private refill(now: number): void {
    const rate = this.ratePerSecond!;
    const elapsed = Math.max(0, now - this.refilledAt);
    this.tokens = Math.min(rate, this.tokens + (elapsed * rate) / 1000);
    this.refilledAt = now;
  }
}
