import { describe, expect, it } from 'vitest';
import { toClickwireError } from '../../../src/api/error-mapping.js';

describe('toClickwireError', () => {
  it('answers a lock conflict the store could not retry away with 503 unavailable, not 500', () => {
    const deadlock = Object.assign(new Error('deadlock detected'), { code: '40P01' });
    const { error, internal } = toClickwireError(deadlock);
    expect(error.code).toBe('CW_ERR_UNAVAILABLE');
    expect(error.status).toBe(503);
    expect(internal).toBe(false);
  });

  it('keeps unknown errors internal, with nothing of their detail for the client', () => {
    const { error, internal } = toClickwireError(new Error('connection string with a password'));
    expect(error.code).toBe('CW_ERR_INTERNAL');
    expect(error.detail).not.toContain('password');
    expect(internal).toBe(true);
  });
});
