import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

export interface SseEvent {
  readonly id: string | null;
  readonly event: string;
  readonly data: string;
}

/**
 * A Server-Sent Events reader over a plain `node:http` request, parsing frames as they arrive.
 * `paused: true` leaves the answer unread (a slow reader: once the socket's buffers are full, the
 * server's writes stop draining) until `resume()`.
 */
export class SseClient {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  /** Set once the connection is over, by either side. */
  ended = false;
  private buffer = '';

  private constructor(
    readonly status: number,
    readonly headers: http.IncomingHttpHeaders,
    private readonly response: http.IncomingMessage,
    private readonly request: http.ClientRequest,
  ) {}

  static open(url: string, headers: Record<string, string>, options: { paused?: boolean } = {}) {
    return new Promise<SseClient>((resolve, reject) => {
      const request = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (response) => {
        const client = new SseClient(response.statusCode ?? 0, response.headers, response, request);
        response.setEncoding('utf8');
        const end = () => {
          client.ended = true;
        };
        response.on('end', end);
        response.on('close', end);
        response.on('error', end);
        request.on('error', end);
        if (!options.paused) client.resume();
        else response.pause();
        resolve(client);
      });
      request.on('error', reject);
    });
  }

  /** Starts (or goes on) reading. */
  resume(): void {
    if (this.response.listenerCount('data') === 0)
      this.response.on('data', (chunk: string) => this.parse(chunk));
    this.response.resume();
  }

  /**
   * Waits until `ready` holds. `guardMs` only keeps a broken test from hanging; it is not a
   * requirement on the server's speed.
   */
  async waitFor(ready: (client: SseClient) => boolean, guardMs = 25_000): Promise<void> {
    const deadline = Date.now() + guardMs;
    while (!ready(this)) {
      if (Date.now() > deadline)
        throw new Error(`gave up waiting: ${this.events.length} events, ended=${this.ended}`);
      await sleep(10);
    }
  }

  close(): void {
    this.request.destroy();
    this.ended = true;
  }

  private parse(chunk: string): void {
    this.buffer += chunk;
    for (;;) {
      const end = this.buffer.indexOf('\n\n');
      if (end === -1) return;
      const frame = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      let id: string | null = null;
      let event = 'message';
      const data: string[] = [];
      for (const line of frame.split('\n')) {
        if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
        else if (line.startsWith('id: ')) id = line.slice(4);
        else if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length > 0) this.events.push({ id, event, data: data.join('\n') });
    }
  }
}
