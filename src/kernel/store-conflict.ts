/**
 * PostgreSQL aborts one of two transactions that wait on each other's row locks (`40P01`,
 * deadlock detected) or that cannot be serialised (`40001`); the aborted one has changed nothing
 * and is safe to run again. SQLite never raises these (one writer at a time).
 */
const RETRYABLE_CODES = new Set(['40P01', '40001']);

/** Attempts in all before the conflict is passed on to the caller. */
const MAX_ATTEMPTS = 4;

export function isRetryableConflict(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    typeof error.code === 'string' &&
    RETRYABLE_CODES.has(error.code)
  );
}

/**
 * Runs a whole transaction again when the database aborted it for a lock conflict, after a short
 * randomised pause so the two contenders do not meet again at once. `transaction` must be the
 * complete transaction (begin to commit): a retry starts it from the beginning.
 */
export async function retryOnConflict<T>(
  transaction: () => Promise<T>,
  pause: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction();
    } catch (error) {
      if (attempt >= MAX_ATTEMPTS || !isRetryableConflict(error)) throw error;
      await pause(attempt * 5 + Math.random() * 10);
    }
  }
}
