/** When a failing subscription is paused: every attempt failed for `afterMs`, and at least `minFailures` of them. */
export interface PausePolicy {
  readonly afterMs: number;
  readonly minFailures: number;
}

/** A subscription's current run of failed attempts (reset by any 2xx). */
export interface FailureStreak {
  readonly consecutiveFailures: number;
  /** When the first failed attempt of the run started; `null` when the last attempt succeeded. */
  readonly failingSince: number | null;
}

export const NO_FAILURES: FailureStreak = { consecutiveFailures: 0, failingSince: null };

/** True when the streak has gone on long enough, by both time and count, to pause the subscription. */
export function shouldPause(streak: FailureStreak, now: number, policy: PausePolicy): boolean {
  if (streak.failingSince === null) return false;
  return streak.consecutiveFailures >= policy.minFailures && now - streak.failingSince >= policy.afterMs;
}

/** The `status_reason` recorded when a subscription is paused for failing. */
export function pauseReason(streak: FailureStreak, now: number, lastError: string | null): string {
  const minutes = Math.round((now - (streak.failingSince ?? now)) / 60_000);
  const last = lastError === null ? '' : `; last: ${lastError}`;
  return `paused automatically: every attempt failed for ${minutes} min (${streak.consecutiveFailures} in a row)${last}`;
}
