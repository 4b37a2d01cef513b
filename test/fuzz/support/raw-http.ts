import net from 'node:net';

/** What came back for one raw request. `status` is null when the server closed without an answer. */
export interface RawAnswer {
  readonly status: number | null;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

export class HungRequestError extends Error {}

/**
 * Sends bytes exactly as given — invalid UTF-8, CR/LF in header values, repeated headers, lying
 * lengths — which no well-behaved client library would let through, and reads the answer until
 * the server closes the connection (`Connection: close` is the caller's job). A server that
 * neither answers nor closes within `timeoutMs` is hung: that rejects.
 */
export function sendRaw(
  port: number,
  request: Buffer,
  options: {
    readonly timeoutMs?: number;
    /**
     * Take a 2xx answer once its header block is in (for a stream that never ends by itself, like
     * Server-Sent Events); the body is what arrived with it. Other answers are read to the end.
     */
    readonly headersOnly?: boolean;
  } = {},
): Promise<RawAnswer> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      const head = request.subarray(0, 200).toString('latin1').split('\r\n')[0];
      reject(new HungRequestError(`no answer within ${timeoutMs} ms to ${head}`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (!options.headersOnly) return;
      // A stream that opened (2xx) stays open: its head is the answer. Anything else ends by itself.
      const received = Buffer.concat(chunks);
      if (received.includes('\r\n\r\n') && /^HTTP\/1\.1 2/.test(received.toString('latin1', 0, 12)))
        socket.destroy();
    });
    // A server may answer (413, 400) and close before it read the whole of a large body.
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(parseAnswer(Buffer.concat(chunks)));
    });
    // No half-close after writing: Node's server (without `allowHalfOpen`) would drop an answer
    // still being prepared. `Connection: close` makes the server close once it has answered.
    socket.write(request);
  });
}

function parseAnswer(bytes: Buffer): RawAnswer {
  const headerEnd = bytes.indexOf('\r\n\r\n');
  if (headerEnd < 0) return { status: null, headers: {}, body: bytes };
  const [statusLine = '', ...lines] = bytes.subarray(0, headerEnd).toString('latin1').split('\r\n');
  const status = Number(statusLine.split(' ')[1]);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = bytes.subarray(headerEnd + 4);
  if (headers['transfer-encoding']?.includes('chunked')) body = dechunk(body);
  return { status: Number.isFinite(status) ? status : null, headers, body };
}

function dechunk(bytes: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const lineEnd = bytes.indexOf('\r\n', offset);
    if (lineEnd < 0) break;
    const size = Number.parseInt(bytes.subarray(offset, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/** Builds a request from parts; header values and the target go out byte for byte. */
export function rawRequest(options: {
  readonly method: string;
  readonly target: Buffer | string;
  readonly headers: readonly (readonly [string, Buffer | string])[];
  readonly body?: Buffer;
}): Buffer {
  const lines: Buffer[] = [
    Buffer.from(`${options.method} `),
    Buffer.from(options.target),
    Buffer.from(' HTTP/1.1\r\n'),
  ];
  for (const [name, value] of options.headers)
    lines.push(Buffer.from(`${name}: `), Buffer.from(value), Buffer.from('\r\n'));
  lines.push(Buffer.from('connection: close\r\n'));
  if (options.body) lines.push(Buffer.from(`content-length: ${options.body.length}\r\n`));
  lines.push(Buffer.from('\r\n'));
  if (options.body) lines.push(options.body);
  return Buffer.concat(lines);
}
