import type { ErrorCategory } from './delivery.js';

/** One POST to a subscriber. */
export interface OutgoingRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The exact bytes that were signed. */
  readonly body: string;
  /** The whole exchange — connect, send, answer — must finish within this. */
  readonly timeoutMs: number;
}

/** What came of a POST: an HTTP answer of any status, or a categorised failure to get one. */
export type TransportResult =
  | {
      readonly kind: 'response';
      readonly statusCode: number;
      readonly retryAfter: string | undefined;
      /** The answer's body, read up to the transport's limit. */
      readonly body: string;
      readonly durationMs: number;
    }
  | {
      readonly kind: 'error';
      readonly category: ErrorCategory;
      /** A short technical detail for the attempt log; never a secret. */
      readonly detail: string;
      readonly durationMs: number;
    };

/**
 * Port: the HTTP client that talks to subscribers. It never follows redirects, refuses to connect
 * to addresses the SSRF policy forbids (after DNS resolution), and never throws: every failure
 * comes back as a categorised result.
 */
export interface WebhookTransport {
  post(request: OutgoingRequest): Promise<TransportResult>;
  /** Closes idle connections and refuses further requests. */
  close(): Promise<void>;
}
