import { calendarDay } from './calendar-day.js';
import type { UniquenessRule } from './uniqueness-rule.js';

const WINDOW_24H_MS = 24 * 60 * 60 * 1000;

export interface UniquenessDecision {
  readonly isUnique: boolean;
  /** When the visitor's current window began after this click (`null`: unchanged). */
  readonly windowStart: number | null;
}

/**
 * Whether a click counts as unique, given when the visitor's current window on this link began
 * (`null` when never seen within the kept history). A click that arrives late, before the current
 * window began, never counts: that window was already counted.
 */
export function decideUniqueness(
  rule: UniquenessRule,
  windowStart: number | null,
  occurredAt: number,
  timeZone: string,
): UniquenessDecision {
  if (windowStart === null) return { isUnique: true, windowStart: occurredAt };
  if (occurredAt < windowStart) return { isUnique: false, windowStart: null };
  const newWindow =
    rule === 'link_visitor_24h'
      ? occurredAt - windowStart >= WINDOW_24H_MS
      : calendarDay(occurredAt, timeZone) !== calendarDay(windowStart, timeZone);
  return newWindow ? { isUnique: true, windowStart: occurredAt } : { isUnique: false, windowStart: null };
}
