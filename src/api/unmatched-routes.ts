import type { FastifyInstance, RouteOptions } from 'fastify';

/**
 * Tells "no such route" (404) from "route exists, other method" (405 with `Allow`), which Fastify
 * alone answers with the same 404. Patterns are collected as routes register.
 */
export class RouteTable {
  private readonly routes: { pattern: RegExp; methods: Set<string> }[] = [];

  attach(app: FastifyInstance): void {
    app.addHook('onRoute', (route: RouteOptions) => this.add(route.url, route.method));
  }

  /** Methods the path accepts, empty when no route matches it. */
  allowedMethods(path: string): string[] {
    const allowed = new Set<string>();
    for (const route of this.routes) {
      if (route.pattern.test(path)) for (const method of route.methods) allowed.add(method);
    }
    return [...allowed].sort();
  }

  private add(url: string, method: string | string[]): void {
    const source = url
      .split('/')
      .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment === '*' ? '.*' : escapeRegExp(segment)))
      .join('/');
    // Exact, as the router matches: `/v1/links/` is not `/v1/links`, so it must not be told GET is not allowed.
    const pattern = new RegExp(`^${source}$`);
    const methods = Array.isArray(method) ? method : [method];
    const existing = this.routes.find((route) => route.pattern.source === pattern.source);
    if (existing) for (const m of methods) existing.methods.add(m);
    else this.routes.push({ pattern, methods: new Set(methods) });
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
