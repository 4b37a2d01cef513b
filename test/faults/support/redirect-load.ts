import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';

/**
 * A steady redirect load whose every request can be told apart afterwards: request `n` carries
 * `Referer: https://r<n>.load.test/`, and the processor keeps the referrer host on the stored
 * click. So after a crash the test can say, request by request, which answered redirects were
 * stored — not only compare totals.
 */
export interface RedirectLoad {
  /** Requests answered with a 302. */
  readonly redirected: Set<number>;
  /** Requests that got no answer (connection refused or cut by a crash). */
  readonly unanswered: Set<number>;
  /** Requests answered with anything else, by status. */
  readonly otherAnswers: Map<number, number>;
  /** Why requests got no answer (error code or message), with how many times each. */
  readonly failures: Map<string, number>;
  /** Stops sending and waits for the requests in flight to settle. */
  stop(): Promise<void>;
}

export function requestNumberOf(referrerHost: string | null): number | null {
  const match = /^r(\d+)\.load\.test$/.exec(referrerHost ?? '');
  return match ? Number(match[1]) : null;
}

export function startRedirectLoad(options: {
  readonly edgeUrl: string;
  readonly path: string;
  readonly concurrency: number;
  /** Requests per second across all workers: a steady load, not a flood the processor trails. */
  readonly ratePerSecond: number;
  /** Pause after a refused connection, so a stopped server is not hammered in a tight loop. */
  readonly retryPauseMs?: number;
  /** Number of the first request (default 0), so several loads at once never share a number. */
  readonly firstRequest?: number;
}): RedirectLoad {
  const redirected = new Set<number>();
  const unanswered = new Set<number>();
  const otherAnswers = new Map<number, number>();
  const failures = new Map<string, number>();
  // A short keep-alive: connections to a killed server are dropped, not reused for long.
  const agent = new Agent({ keepAliveTimeout: 1_000, connect: { timeout: 2_000 } });
  let next = options.firstRequest ?? 0;
  let stopped = false;
  const interval = 1_000 / options.ratePerSecond;
  let nextSlot = performance.now();

  const worker = async () => {
    while (!stopped) {
      const slot = Math.max(performance.now(), nextSlot);
      nextSlot = slot + interval;
      const wait = slot - performance.now();
      if (wait > 1) await sleep(wait);
      if (stopped) return;
      const n = next++;
      try {
        const answer = await request(`${options.edgeUrl}${options.path}`, {
          dispatcher: agent,
          headers: {
            'user-agent':
              'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
            accept: 'text/html,application/xhtml+xml',
            'accept-language': 'en-GB,en;q=0.9',
            referer: `https://r${n}.load.test/`,
          },
          headersTimeout: 10_000,
          bodyTimeout: 10_000,
        });
        await answer.body.dump();
        if (answer.statusCode === 302) redirected.add(n);
        else otherAnswers.set(answer.statusCode, (otherAnswers.get(answer.statusCode) ?? 0) + 1);
      } catch (error) {
        unanswered.add(n);
        const code = (error as { code?: string }).code ?? (error as Error).message;
        failures.set(code, (failures.get(code) ?? 0) + 1);
        await sleep(options.retryPauseMs ?? 20);
      }
    }
  };
  const workers = Array.from({ length: options.concurrency }, worker);

  return {
    redirected,
    unanswered,
    otherAnswers,
    failures,
    stop: async () => {
      stopped = true;
      await Promise.all(workers);
      await agent.close();
    },
  };
}
