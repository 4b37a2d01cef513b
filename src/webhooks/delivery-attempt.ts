import type { Clock } from '../kernel/clock.js';
import {
  type AttemptVerdict,
  failedEventIdsOf,
  verdictOfError,
  verdictOfResponse,
} from './attempt-verdict.js';
import {
  type Attempt,
  type AttemptOutcomeKind,
  MAX_PAYLOAD_BYTES,
  MAX_STORED_RESPONSE_BYTES,
  triggerOf,
} from './delivery.js';
import type { AttemptRecord, DueDelivery } from './delivery-store.js';
import { parseRetryAfter } from './retry-after.js';
import { nextStep } from './retry-policy.js';
import { checkSubscriberUrl, type SubscriberUrlCheck } from './subscriber-url.js';
import { type Subscription, signingSecrets } from './subscription.js';
import { requestBody, signRequest } from './webhook-request.js';
import type { TransportResult, WebhookTransport } from './webhook-transport.js';

export interface DeliveryAttemptDeps {
  readonly transport: WebhookTransport;
  readonly clock: Clock;
  /** Jitter source, values in [0, 1). */
  readonly random: () => number;
}

export interface DeliveryAttemptOptions {
  readonly retryScheduleMs: readonly number[];
  readonly timeoutMs: number;
  readonly allowPrivateAddresses: boolean;
}

/**
 * One attempt at a delivery, start to verdict: build the body, sign it with the subscription's
 * current secrets, POST it, classify the answer and decide what follows under the retry policy.
 * The dispatcher runs it for every delivery; the test endpoint for its one-off delivery.
 */
export class DeliveryAttempt {
  /** URL checks by URL: the rule depends only on the text and the configuration. */
  private readonly urlChecks = new Map<string, SubscriberUrlCheck>();

  constructor(
    private readonly deps: DeliveryAttemptDeps,
    private readonly options: DeliveryAttemptOptions,
  ) {}

  /** Makes the attempt and returns what to record; never throws. */
  async run(subscription: Subscription, delivery: DueDelivery): Promise<AttemptRecord> {
    const { clock, transport } = this.deps;
    const base = { deliveryId: delivery.deliveryId, subscriptionId: delivery.subscriptionId };
    const startedAt = clock.now();
    const content = requestBody(delivery.body, delivery.webhookId, startedAt);
    if (content === null)
      return {
        ...base,
        attempt: null,
        next: { status: 'failed', reason: 'event_missing' },
        endpoint: 'none',
      };
    if (Buffer.byteLength(content.body) > MAX_PAYLOAD_BYTES)
      return {
        ...base,
        attempt: null,
        next: { status: 'failed', reason: 'payload_too_large' },
        endpoint: 'none',
      };
    const signed = signRequest(
      delivery.webhookId,
      content,
      startedAt,
      signingSecrets(subscription.secrets, startedAt),
    );
    // Checked again at every attempt: the address rules may have changed since the subscription was made.
    const url = this.checkUrl(subscription.url);
    const result: TransportResult = url.ok
      ? await transport.post({
          url: url.url,
          headers: signed.headers,
          body: signed.body,
          timeoutMs: this.options.timeoutMs,
        })
      : { kind: 'error', category: 'ssrf_blocked', detail: `url ${url.reason}`, durationMs: 0 };
    const finishedAt = clock.now();

    let verdict: AttemptVerdict;
    let failedIds: ReadonlySet<string> = new Set();
    if (result.kind === 'response') {
      const isBatch2xx =
        delivery.body.kind === 'batch' && result.statusCode >= 200 && result.statusCode < 300;
      if (isBatch2xx && delivery.body.kind === 'batch') {
        const carried = new Set(delivery.body.events.map((event) => event.eventId));
        failedIds = new Set(failedEventIdsOf(result.body).filter((id) => carried.has(id)));
      }
      verdict = verdictOfResponse(
        result.statusCode,
        parseRetryAfter(result.retryAfter, finishedAt),
        isBatch2xx ? [...failedIds] : null,
      );
    } else {
      verdict = verdictOfError(result.category);
    }
    const step = nextStep({
      verdict,
      attemptNumber: delivery.attemptCount + 1,
      // A test is one attempt, whatever the subscription says.
      maxAttempts: delivery.origin === 'test' ? 1 : subscription.maxAttempts,
      now: finishedAt,
      scheduleMs: this.options.retryScheduleMs,
      random: this.deps.random(),
    });
    const outcome: AttemptOutcomeKind =
      verdict.kind === 'success' ? 'succeeded' : verdict.kind === 'partial' ? 'partial' : 'failed';
    const attempt: Omit<Attempt, 'attemptNumber'> = {
      deliveryId: delivery.deliveryId,
      subscriptionId: delivery.subscriptionId,
      trigger: triggerOf(delivery.origin, delivery.attemptCount),
      startedAt,
      durationMs: result.durationMs,
      outcome,
      statusCode: result.kind === 'response' ? result.statusCode : null,
      errorCategory: verdict.kind === 'failure' ? verdict.category : null,
      errorDetail: result.kind === 'error' ? result.detail : null,
      requestHeaders: signed.headers,
      responseBody: result.kind === 'response' ? truncateUtf8(result.body, MAX_STORED_RESPONSE_BYTES) : null,
    };
    const accepted =
      verdict.kind === 'partial' && delivery.body.kind === 'batch'
        ? delivery.body.events.filter((event) => !failedIds.has(event.eventId)).map((event) => event.sequence)
        : undefined;
    return {
      ...base,
      attempt,
      next:
        step.kind === 'done'
          ? { status: 'succeeded' }
          : step.kind === 'retry'
            ? { status: 'retrying', nextAttemptAt: step.at }
            : { status: 'failed', reason: step.reason },
      ...(accepted === undefined ? {} : { acceptedSequences: accepted }),
      // Tests do not count towards the subscription's health; 410 disables it instead.
      endpoint:
        delivery.origin === 'test'
          ? 'none'
          : verdict.kind === 'failure'
            ? verdict.gone
              ? 'none'
              : 'failing'
            : 'ok',
    };
  }

  private checkUrl(url: string): SubscriberUrlCheck {
    let check = this.urlChecks.get(url);
    if (!check) {
      if (this.urlChecks.size >= 10_000) this.urlChecks.clear();
      check = checkSubscriberUrl(url, { allowPrivate: this.options.allowPrivateAddresses });
      this.urlChecks.set(url, check);
    }
    return check;
  }
}

/** At most `maxBytes` of UTF-8, cut on a character boundary. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const cut = Buffer.from(text).subarray(0, maxBytes).toString('utf8');
  return cut.endsWith('\uFFFD') ? cut.slice(0, -1) : cut;
}
