import type { ServerResponse } from 'node:http';

export interface SseOptions {
  /** A comment line is sent this often, ms, so idle proxies keep the connection and the client sees it live. */
  readonly heartbeatMs: number;
  /** Events that may wait for a slow reader; one more and the reader is dropped. */
  readonly maxBufferedEvents: number;
  /** Told once when the connection ends, with why. */
  readonly onClose: (reason: 'client' | 'dropped' | 'server') => void;
}

/**
 * One Server-Sent Events answer on a raw response, written at the reader's pace: frames go to the
 * socket while it takes them (up to its high-water mark), the rest wait here as unformatted events
 * and follow on `drain`. A reader that lets more than `maxBufferedEvents` pile up is dropped (the
 * connection destroyed), so a slow reader costs a bounded amount of memory — the socket's buffer
 * plus that many events — never more. It can reconnect with `Last-Event-ID` and resume.
 */
export class SseConnection {
  private readonly heartbeat: NodeJS.Timeout;
  private readonly waiting: (() => string)[] = [];
  private closed = false;

  constructor(
    private readonly res: ServerResponse,
    headers: Record<string, string>,
    private readonly options: SseOptions,
  ) {
    res.writeHead(200, {
      ...headers,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      // Tells nginx and the like not to buffer the stream.
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    res.on('close', () => this.end('client'));
    res.on('drain', () => this.pump());
    this.heartbeat = setInterval(() => {
      // A heartbeat only when the socket is keeping up; otherwise it would just queue behind events.
      if (!this.res.writableNeedDrain) this.res.write(': heartbeat\n\n');
    }, options.heartbeatMs);
    this.heartbeat.unref();
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Queues one event; `frame` formats it (`id`, `event`, `data` lines) when the socket takes it. */
  send(frame: () => string): void {
    if (this.closed) return;
    if (this.waiting.length >= this.options.maxBufferedEvents) {
      this.end('dropped');
      this.res.destroy();
      return;
    }
    this.waiting.push(frame);
    if (this.waiting.length === 1) this.pump();
  }

  /** Ends the stream from our side (the server is stopping). */
  close(): void {
    if (this.closed) return;
    this.end('server');
    this.res.end();
  }

  private pump(): void {
    let sent = 0;
    while (!this.closed && sent < this.waiting.length && !this.res.writableNeedDrain) {
      this.res.write(this.waiting[sent]!());
      sent++;
    }
    this.waiting.splice(0, sent);
  }

  private end(reason: 'client' | 'dropped' | 'server'): void {
    if (this.closed) return;
    this.closed = true;
    this.waiting.length = 0;
    clearInterval(this.heartbeat);
    this.options.onClose(reason);
  }
}

/** One event in the text format; `data` must be a single line (JSON is). */
export function sseFrame(id: string, event: string, data: string): string {
  return `id: ${id}\nevent: ${event}\ndata: ${data}\n\n`;
}
