import { WakeSignal } from '../kernel/wake-signal.js';

/**
 * The wake signals between the stages of one process (`role: 'all'`), as shared buffers so each
 * thread — capture, processor, dispatcher — makes its own `WakeSignal` on them. Roles in separate
 * processes have none and poll alone (see docs/adr/2026-11-28-stage-wake-ups.md).
 */
export interface PipelineWakeups {
  /** Notified after each commit of clicks to the click log; the processor waits on it when idle. */
  readonly clicksCaptured: SharedArrayBuffer;
  /** Notified after each processor commit that stored events; the dispatcher waits on it when idle. */
  readonly eventsStored: SharedArrayBuffer;
}

/**
 * How often a woken stage still polls, at most, ms: for writes that notify nobody — another process
 * on the same store, events the API writes (`link.*`), subscription changes. Polling every
 * millisecond cost an idle process about a fifth of a core.
 */
export const WOKEN_STAGE_POLL_MS = 10;

/** The poll interval of a stage: the configured one, or with wake-ups at least `WOKEN_STAGE_POLL_MS`. */
export function idlePollOf(configuredMs: number, wakeups: PipelineWakeups | undefined): number {
  return wakeups ? Math.max(configuredMs, WOKEN_STAGE_POLL_MS) : configuredMs;
}

export function newPipelineWakeups(): PipelineWakeups {
  return { clicksCaptured: new WakeSignal().buffer, eventsStored: new WakeSignal().buffer };
}
