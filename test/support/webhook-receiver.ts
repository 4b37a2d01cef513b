import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A request as the receiver got it. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** How the receiver answers: a status (with headers and body), or it never answers (`hang`). */
export type Answer =
  | {
      readonly status: number;
      readonly headers?: Record<string, string>;
      readonly body?: string;
      /** Answer this much later. */
      readonly delayMs?: number;
    }
  | 'hang';

/**
 * A subscriber on loopback, port 0: records every request and answers what the test chooses
 * (`answer` can be swapped at any time). Hung requests are answered by `releaseHung` or cut at `close`.
 */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  answer: (request: ReceivedRequest) => Answer = () => ({ status: 200 });
  private readonly hung: http.ServerResponse[] = [];

  private constructor(private readonly server: http.Server) {}

  /** On `port` 0 (any free one), or on a given port, e.g. to come back where a closed receiver stood. */
  static async start(port = 0): Promise<WebhookReceiver> {
    const server = http.createServer();
    const receiver = new WebhookReceiver(server);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(req.headers)) headers[name] = String(value);
        const request = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        receiver.requests.push(request);
        const answer = receiver.answer(request);
        if (answer === 'hang') {
          receiver.hung.push(res);
          return;
        }
        const send = () => {
          if (res.destroyed) return;
          res.writeHead(answer.status, answer.headers ?? {});
          res.end(answer.body ?? '');
        };
        if (answer.delayMs) setTimeout(send, answer.delayMs);
        else send();
      });
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
    return receiver;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** `http://127.0.0.1:{port}{path}`. */
  url(path = '/hook'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Requests whose path is `path`. */
  to(path: string): ReceivedRequest[] {
    return this.requests.filter((request) => request.path === path);
  }

  /** Number of requests waiting for an answer. */
  get hanging(): number {
    return this.hung.length;
  }

  /** Hung requests whose sender is still connected (it has neither given up nor died). */
  get hangingConnected(): number {
    return this.hung.filter((res) => !res.destroyed).length;
  }

  /** Answers every hung request with `status`. */
  releaseHung(status = 200): void {
    for (const res of this.hung.splice(0)) {
      res.writeHead(status);
      res.end();
    }
  }

  /** Waits (up to a generous deadline, not a timing assertion) until `count` requests arrived. */
  async waitFor(count: number, deadlineMs = 20_000): Promise<void> {
    const until = Date.now() + deadlineMs;
    while (this.requests.length < count) {
      if (Date.now() > until) throw new Error(`expected ${count} requests, got ${this.requests.length}`);
      await sleep(5);
    }
  }

  async close(): Promise<void> {
    for (const res of this.hung.splice(0)) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
