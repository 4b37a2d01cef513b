import type { ClickLog } from '../click-log/click-log.js';
import type { DailySalts } from '../privacy/daily-salts.js';
import type { CaptureRequest } from './capture-request.js';
import type { GeoLookup } from './geo-lookup.js';
import { buildRawClick } from './raw-click-builder.js';

/**
 * Makes an edge request a durable raw click. `capture` resolves once the click is durable in the
 * click log (the redirect may then be sent) and rejects when it could not be made durable.
 */
export interface ClickCapture {
  capture(request: CaptureRequest): Promise<void>;
  /** Finishes what was handed in, then releases the capture's resources. */
  stop(): Promise<void>;
}

/** Thrown for a request whose client address is not an IP address; nothing is recorded for it. */
export class UncapturableRequestError extends Error {
  constructor() {
    super('the request has no usable client address');
    this.name = 'UncapturableRequestError';
  }
}

/** Outcome of capturing one request of a batch. */
export type CaptureOutcome = 'captured' | 'uncapturable' | Error;

/** Capture on the calling thread: derive the network facts, then append (group-committed) to the click log. */
export class InlineClickCapture implements ClickCapture {
  constructor(
    private readonly deps: {
      readonly clickLog: ClickLog;
      readonly salts: DailySalts;
      readonly geo: GeoLookup;
      /** Told after each commit that made clicks durable (it wakes the processor of this process). */
      readonly onCommitted?: () => void;
    },
  ) {}

  capture(request: CaptureRequest): Promise<void> {
    const salt = this.deps.salts.peek(request.workspaceId, request.occurredAt);
    if (salt) return this.append(request, salt);
    return this.deps.salts
      .load(request.workspaceId, request.occurredAt)
      .then((loaded) => this.append(request, loaded));
  }

  /**
   * Captures a batch in one commit. The outcome per request: `captured`, `uncapturable` (no usable
   * address; nothing recorded), or the error that kept the whole commit from becoming durable.
   */
  async captureMany(requests: readonly CaptureRequest[]): Promise<CaptureOutcome[]> {
    const outcomes: CaptureOutcome[] = [];
    const clicks = [];
    for (const request of requests) {
      const salt =
        this.deps.salts.peek(request.workspaceId, request.occurredAt) ??
        (await this.deps.salts.load(request.workspaceId, request.occurredAt));
      const click = buildRawClick(request, salt, this.deps.geo);
      outcomes.push(click === null ? 'uncapturable' : 'captured');
      if (click !== null) clicks.push(click);
    }
    try {
      await this.deps.clickLog.appendMany(clicks);
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      return outcomes.map((outcome) => (outcome === 'captured' ? failure : outcome));
    }
    if (clicks.length > 0) this.deps.onCommitted?.();
    return outcomes;
  }

  async stop(): Promise<void> {}

  private append(request: CaptureRequest, salt: Buffer): Promise<void> {
    const click = buildRawClick(request, salt, this.deps.geo);
    if (click === null) return Promise.reject(new UncapturableRequestError());
    const appended = this.deps.clickLog.append(click);
    const { onCommitted } = this.deps;
    return onCommitted ? appended.then(onCommitted) : appended;
  }
}
