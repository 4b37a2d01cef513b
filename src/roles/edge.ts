import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WakeSignal } from '../kernel/wake-signal.js';
import { DailySalts } from '../privacy/daily-salts.js';
import { ThreadedClickCapture } from '../redirect/capture-thread.js';
import { InlineClickCapture } from '../redirect/click-capture.js';
import { clientAddressResolver } from '../redirect/client-address.js';
import { LinkResolver } from '../redirect/link-resolver.js';
import { RedirectHandler } from '../redirect/redirect-handler.js';
import { RouteChangeWatcher } from '../redirect/route-change-watcher.js';
import type { RoleContext, RunningRole } from './role-context.js';

export interface RunningEdge extends RunningRole {
  readonly port: number;
  /** Drops cached routes; the API of the same process calls it on every link or domain change. */
  readonly invalidateRoutes: () => void;
}

/** The redirect edge: a plain `node:http` server, since redirect speed is the product. */
export async function startEdge(context: RoleContext): Promise<RunningEdge> {
  const { backend, clock, logger, config } = context;
  const resolver = new LinkResolver(backend.links, backend.domains, {
    defaultWorkspaceId: context.defaultWorkspaceId,
    workspacePrivacy: backend.workspacePrivacy,
  });
  const { wakeups } = context;
  const capture = config.captureThread
    ? await ThreadedClickCapture.start(config, logger, wakeups?.clicksCaptured)
    : new InlineClickCapture({
        clickLog: backend.clickLog,
        salts: new DailySalts(backend.ipSalts, clock),
        geo: context.geo(),
        ...(wakeups ? { onCommitted: wakeClicksCaptured(wakeups.clicksCaptured) } : {}),
      });
  const handler = new RedirectHandler({
    resolver,
    capture,
    clock,
    logger,
    clientAddress: clientAddressResolver(config.trustedProxies),
    onAnswered: (status, outcome) => context.metrics.redirects.inc({ status, outcome }),
  });
  const watcher = new RouteChangeWatcher(backend.links, () => resolver.invalidate(), logger);
  await watcher.start();

  const server = http.createServer(
    {
      // Bounded headers: nothing a browser sends comes near this, and it caps what a hostile client costs us.
      maxHeaderSize: 16 * 1024,
      requestTimeout: 10_000,
      headersTimeout: 5_000,
      keepAliveTimeout: 5_000,
    },
    handler.handle,
  );
  server.on('clientError', (_error, socket) => {
    if (socket.writable)
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.edgePort, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  logger.info({ role: 'edge', host: config.host, port }, 'edge listening for redirects');

  return {
    name: 'edge',
    port,
    invalidateRoutes: () => resolver.invalidate(),
    stop: async () => {
      watcher.stop();
      // Stop accepting; requests already read keep waiting for their commit and get their answer.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs);
      deadline.unref();
      await closed;
      clearTimeout(deadline);
      // Every answered redirect's click is durable already; this only releases the capture thread.
      await capture.stop();
    },
  };
}

/** Notifies the processor of this process that clicks were captured. */
function wakeClicksCaptured(buffer: SharedArrayBuffer): () => void {
  const signal = new WakeSignal(buffer);
  return () => signal.notify();
}
