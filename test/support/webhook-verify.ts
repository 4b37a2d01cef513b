import { Webhook } from 'standardwebhooks';
import { vi } from 'vitest';
import type { ReceivedRequest } from './webhook-receiver.js';

/**
 * Verifies a request with the `standardwebhooks` package as a subscriber would, at a chosen
 * moment: the package refuses timestamps more than 5 minutes from its clock, and tests move time
 * by hours. Everything else (id, timestamp, body, each signature) is checked as usual.
 */
export function verifyAt(secret: string, request: ReceivedRequest, nowMs: number): unknown {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(nowMs);
  try {
    return new Webhook(secret).verify(request.body, request.headers);
  } finally {
    vi.useRealTimers();
  }
}
