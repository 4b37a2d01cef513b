import { describe, expect, it } from 'vitest';
import { isRetryableConflict, retryOnConflict } from '../../../src/kernel/store-conflict.js';

const conflict = (code: string) => Object.assign(new Error(`conflict ${code}`), { code });
const noPause = async () => {};

describe('retryOnConflict', () => {
  it('runs a transaction again that PostgreSQL aborted for a deadlock or a serialisation failure', async () => {
    for (const code of ['40P01', '40001']) {
      let attempts = 0;
      const result = await retryOnConflict(async () => {
        attempts++;
        if (attempts < 3) throw conflict(code);
        return 'committed';
      }, noPause);
      expect(result).toBe('committed');
      expect(attempts).toBe(3);
    }
  });

  it('passes any other error on at once', async () => {
    let attempts = 0;
    const unique = conflict('23505');
    await expect(
      retryOnConflict(async () => {
        attempts++;
        throw unique;
      }, noPause),
    ).rejects.toBe(unique);
    expect(attempts).toBe(1);
  });

  it('gives up after four attempts and passes the last conflict on', async () => {
    let attempts = 0;
    await expect(
      retryOnConflict(async () => {
        attempts++;
        throw conflict('40P01');
      }, noPause),
    ).rejects.toMatchObject({ code: '40P01' });
    expect(attempts).toBe(4);
  });

  it('pauses a little longer before each further attempt', async () => {
    const pauses: number[] = [];
    let attempts = 0;
    await retryOnConflict(
      async () => {
        attempts++;
        if (attempts < 4) throw conflict('40001');
      },
      async (ms) => {
        pauses.push(ms);
      },
    );
    expect(pauses).toHaveLength(3);
    expect(pauses[0]).toBeGreaterThanOrEqual(5);
    expect(pauses[2]).toBeGreaterThanOrEqual(15);
  });

  it('tells conflicts from other values', () => {
    expect(isRetryableConflict(conflict('40P01'))).toBe(true);
    expect(isRetryableConflict(conflict('40001'))).toBe(true);
    expect(isRetryableConflict(conflict('23505'))).toBe(false);
    expect(isRetryableConflict(new Error('no code'))).toBe(false);
    expect(isRetryableConflict(null)).toBe(false);
    expect(isRetryableConflict('40P01')).toBe(false);
  });
});
