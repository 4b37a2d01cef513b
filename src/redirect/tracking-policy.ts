/**
 * Which edge requests become clicks. Everything a person or a bot could have clicked does —
 * GET and HEAD (HEAD is how many link checkers and prefetchers probe), known and unknown slugs
 * alike — while the edge's own housekeeping paths are answered without being recorded.
 */
export const TRACKED_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD']);

export interface UntrackedAnswer {
  readonly status: number;
  readonly contentType: string | null;
  readonly body: string;
}

/** robots.txt asks well-behaved crawlers not to follow tracking links at all. */
const UNTRACKED_PATHS: ReadonlyMap<string, UntrackedAnswer> = new Map([
  [
    '/robots.txt',
    { status: 200, contentType: 'text/plain; charset=utf-8', body: 'User-agent: *\nDisallow: /\n' },
  ],
  ['/favicon.ico', { status: 204, contentType: null, body: '' }],
  ['/healthz', { status: 200, contentType: 'text/plain; charset=utf-8', body: 'ok\n' }],
]);

/** The fixed answer for a housekeeping path, or `undefined` when the request is a click. */
export function untrackedAnswer(path: string): UntrackedAnswer | undefined {
  return UNTRACKED_PATHS.get(path);
}
