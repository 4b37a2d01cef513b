import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { BlockReason, RedirectStatus } from '../click-log/raw-click.js';
import type { Clock } from '../kernel/clock.js';
import type { Logger } from '../kernel/logger.js';
import { linkBlockReason } from '../links/link.js';
import type { ClickCapture } from './click-capture.js';
import { type ClickContext, clickContextFromRequest } from './click-context.js';
import { GONE_PAGE, NOT_FOUND_PAGE, UNAVAILABLE_BODY } from './edge-pages.js';
import type { LinkResolver, Route } from './link-resolver.js';
import { redirectLocation } from './redirect-location.js';
import { TRACKED_METHODS, untrackedAnswer } from './tracking-policy.js';

export interface RedirectHandlerDeps {
  readonly resolver: LinkResolver;
  readonly capture: ClickCapture;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly clientAddress: (req: IncomingMessage) => string;
  /** Told of every answer to a tracked request (for metrics): its HTTP status and what was recorded. */
  readonly onAnswered?: (status: number, outcome: RedirectStatus | 'unavailable') => void;
}

/** Every redirect is a fresh decision by us, so no cache may answer in our place. */
const NO_CACHE = 'private, max-age=0';

interface Answer {
  readonly status: number;
  readonly location: string | null;
  readonly redirectStatus: RedirectStatus;
  readonly blockReason: BlockReason | null;
  readonly page: string;
}

/**
 * The redirect edge's request handler. For each click it resolves the route from memory, decides
 * the answer, hands the request's facts to click capture (which reduces the client address to
 * network facts and drops it), and answers only once capture says the click is durable.
 */
export class RedirectHandler {
  constructor(private readonly deps: RedirectHandlerDeps) {}

  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    const method = req.method ?? 'GET';
    if (!TRACKED_METHODS.has(method)) {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Length': 0 }).end();
      return;
    }
    const url = req.url ?? '/';
    const fixed = untrackedAnswer(url.split('?', 1)[0] ?? '/');
    if (fixed) {
      const headers: Record<string, string | number> = { 'Content-Length': Buffer.byteLength(fixed.body) };
      if (fixed.contentType) headers['Content-Type'] = fixed.contentType;
      res.writeHead(fixed.status, headers).end(method === 'HEAD' ? undefined : fixed.body);
      return;
    }
    const context = clickContextFromRequest(method as 'GET' | 'HEAD', url, req.headers);
    const now = this.deps.clock.now();
    const route = this.deps.resolver.peek(context.hostname, context.slug);
    if (route) {
      this.capture(req, res, context, route, now);
      return;
    }
    void this.resolveThenCapture(req, res, context, now);
  };

  private async resolveThenCapture(
    req: IncomingMessage,
    res: ServerResponse,
    context: ClickContext,
    now: number,
  ): Promise<void> {
    try {
      const route = await this.deps.resolver.resolve(context.hostname, context.slug);
      this.capture(req, res, context, route, now);
    } catch (error) {
      this.deps.logger.error({ err: error }, 'edge could not resolve a route; answering 503');
      unavailable(res, context.method);
      this.deps.onAnswered?.(503, 'unavailable');
    }
  }

  private capture(
    req: IncomingMessage,
    res: ServerResponse,
    context: ClickContext,
    route: Route,
    now: number,
  ): void {
    const clientAddress = this.deps.clientAddress(req);
    if (isIP(clientAddress) === 0) {
      // Only a socket that is already gone has no address; nobody is waiting for an answer.
      res.writeHead(400, { 'Content-Length': 0 }).end();
      return;
    }
    const answer = decide(route, context, now);
    this.deps.capture
      .capture({
        occurredAt: now,
        workspaceId: route.workspaceId,
        linkId: route.link?.linkId ?? null,
        domainId: route.domainId,
        slug: context.slug,
        method: context.method,
        redirectStatus: answer.redirectStatus,
        blockReason: answer.blockReason,
        headers: context.headers,
        clientAddress,
        privacy: route.privacy,
      })
      .then(
        () => {
          respond(res, context.method, answer);
          this.deps.onAnswered?.(answer.status, answer.redirectStatus);
        },
        (error: unknown) => {
          // Not durable means not recorded: say so rather than serve a redirect we did not count.
          this.deps.logger.error({ err: error }, 'click capture failed; answering 503');
          unavailable(res, context.method);
          this.deps.onAnswered?.(503, 'unavailable');
        },
      );
  }
}

function decide(route: Route, context: ClickContext, now: number): Answer {
  const link = route.link;
  if (link === null) {
    return {
      status: 404,
      location: null,
      redirectStatus: 'not_found',
      blockReason: null,
      page: NOT_FOUND_PAGE,
    };
  }
  const blockReason = linkBlockReason(link, now);
  if (blockReason === null) {
    const location = redirectLocation(link.destinationUrl, context.query, link.forwardQuery);
    return { status: link.redirectType, location, redirectStatus: 'success', blockReason: null, page: '' };
  }
  if (link.fallbackUrl !== null) {
    return { status: 302, location: link.fallbackUrl, redirectStatus: 'blocked', blockReason, page: '' };
  }
  return { status: 410, location: null, redirectStatus: 'blocked', blockReason, page: GONE_PAGE };
}

function respond(res: ServerResponse, method: 'GET' | 'HEAD', answer: Answer): void {
  if (answer.location !== null) {
    res
      .writeHead(answer.status, { Location: answer.location, 'Cache-Control': NO_CACHE, 'Content-Length': 0 })
      .end();
    return;
  }
  res
    .writeHead(answer.status, {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': NO_CACHE,
      'Content-Length': Buffer.byteLength(answer.page),
    })
    .end(method === 'HEAD' ? undefined : answer.page);
}

function unavailable(res: ServerResponse, method: 'GET' | 'HEAD'): void {
  if (res.headersSent) return;
  res
    .writeHead(503, {
      'Content-Type': 'text/plain; charset=utf-8',
      'Retry-After': '1',
      'Cache-Control': 'no-store',
      'Content-Length': Buffer.byteLength(UNAVAILABLE_BODY),
    })
    .end(method === 'HEAD' ? undefined : UNAVAILABLE_BODY);
}
