import type { AttemptVerdict } from './attempt-verdict.js';
import type { FailureReason } from './delivery.js';

/** Spread of the backoff delays: each is the scheduled one ±20 %, so retries of many deliveries do not arrive together. */
export const BACKOFF_JITTER = 0.2;

/** A `Retry-After` shorter than this is raised to it. */
export const RETRY_AFTER_MIN_MS = 1000;

/** What to do with a delivery after an attempt. */
export type NextStep =
  | { readonly kind: 'done' }
  | { readonly kind: 'retry'; readonly at: number }
  | { readonly kind: 'give_up'; readonly reason: FailureReason };

/**
 * The wait after the n-th failed attempt (n ≥ 1): the n-th step of the schedule (the last step
 * repeats when attempts outnumber steps), times a factor in [0.8, 1.2) taken from `random` ∈ [0, 1).
 */
export function backoffDelayMs(
  failedAttempts: number,
  scheduleMs: readonly number[],
  random: number,
): number {
  if (scheduleMs.length === 0) throw new Error('the retry schedule is empty');
  const step = scheduleMs[Math.min(Math.max(failedAttempts, 1), scheduleMs.length) - 1]!;
  const factor = 1 - BACKOFF_JITTER + 2 * BACKOFF_JITTER * Math.min(Math.max(random, 0), 1);
  return Math.round(step * factor);
}

/**
 * A subscriber's `Retry-After`, honoured but bounded: at least a second (no hot loop on `0`), at
 * most the schedule's longest step (a subscriber cannot park a delivery for longer than a failing
 * one would wait anyway).
 */
export function clampRetryAfterMs(retryAfterMs: number, scheduleMs: readonly number[]): number {
  const longest = Math.max(RETRY_AFTER_MIN_MS, ...scheduleMs);
  return Math.min(Math.max(retryAfterMs, RETRY_AFTER_MIN_MS), longest);
}

export interface NextStepInput {
  readonly verdict: AttemptVerdict;
  /** Number of the attempt just made, 1 for the first. */
  readonly attemptNumber: number;
  /** The subscription's `max_attempts`. */
  readonly maxAttempts: number;
  readonly now: number;
  readonly scheduleMs: readonly number[];
  /** A value in [0, 1) for the jitter. */
  readonly random: number;
}

/** Retry policy: success ends it, 410 gives up at once, anything else retries until `max_attempts`. */
export function nextStep(input: NextStepInput): NextStep {
  const { verdict, attemptNumber, maxAttempts, now, scheduleMs, random } = input;
  if (verdict.kind === 'success') return { kind: 'done' };
  if (verdict.kind === 'failure' && verdict.gone) return { kind: 'give_up', reason: 'subscription_disabled' };
  if (attemptNumber >= maxAttempts) return { kind: 'give_up', reason: 'attempts_exhausted' };
  const asked = verdict.kind === 'failure' ? verdict.retryAfterMs : null;
  const delay =
    asked !== null ? clampRetryAfterMs(asked, scheduleMs) : backoffDelayMs(attemptNumber, scheduleMs, random);
  return { kind: 'retry', at: now + delay };
}

/** `max_attempts` of a subscription that does not choose: the first try plus one per schedule step, at most 20. */
export function defaultMaxAttempts(scheduleMs: readonly number[]): number {
  return Math.min(20, scheduleMs.length + 1);
}
