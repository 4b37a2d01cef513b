import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { generateSecret, secretKey } from '../../../src/webhooks/webhook-secret.js';
import { signatureHeader } from '../../../src/webhooks/webhook-signature.js';

describe('Standard Webhooks signatures', () => {
  it('matches the specification example', () => {
    expect(
      signatureHeader('msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}', [
        'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      ]),
    ).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('makes secrets of 32 random bytes, whsec_-prefixed, all different', () => {
    const secrets = new Set(Array.from({ length: 100 }, generateSecret));
    expect(secrets.size).toBe(100);
    for (const secret of secrets) {
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(secretKey(secret)).toHaveLength(32);
    }
  });

  it('is verified by the standardwebhooks package, for any body', () => {
    const secret = generateSecret();
    const now = Math.floor(Date.now() / 1000);
    for (const body of [
      '{}',
      '{"a":"é ü 😀 \\u2028"}',
      JSON.stringify({ big: 'x'.repeat(100_000) }),
      '[1,2,3]',
    ]) {
      const headers = {
        'webhook-id': 'evt_1',
        'webhook-timestamp': String(now),
        'webhook-signature': signatureHeader('evt_1', now, body, [secret]),
      };
      expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
      expect(() => new Webhook(secret).verify(`${body} `, headers)).toThrow();
      expect(() => new Webhook(secret).verify(body, { ...headers, 'webhook-id': 'evt_2' })).toThrow();
      expect(() =>
        new Webhook(secret).verify(body, { ...headers, 'webhook-timestamp': String(now + 1) }),
      ).toThrow();
    }
  });

  it('during a rotation carries one signature per secret, each verifiable on its own', () => {
    const current = generateSecret();
    const previous = generateSecret();
    const now = Math.floor(Date.now() / 1000);
    const header = signatureHeader('evt_1', now, '{"x":1}', [current, previous]);
    expect(header.split(' ')).toHaveLength(2);
    expect(header.split(' ').every((part) => part.startsWith('v1,'))).toBe(true);
    const headers = { 'webhook-id': 'evt_1', 'webhook-timestamp': String(now), 'webhook-signature': header };
    for (const secret of [current, previous])
      expect(new Webhook(secret).verify('{"x":1}', headers)).toEqual({ x: 1 });
    expect(() => new Webhook(generateSecret()).verify('{"x":1}', headers)).toThrow(/No matching signature/);
  });
});
