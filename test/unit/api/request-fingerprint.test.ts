import { describe, expect, it } from 'vitest';
import { canonicalJson, requestFingerprint } from '../../../src/idempotency/request-fingerprint.js';

const base = { method: 'POST', route: '/v1/links', params: {}, body: { a: 1, b: [1, { c: 2, d: 3 }] } };

describe('requestFingerprint', () => {
  it('is the same for the same JSON value, whatever the key order', () => {
    expect(requestFingerprint({ ...base, body: { b: [1, { d: 3, c: 2 }], a: 1 } })).toBe(
      requestFingerprint(base),
    );
    expect(canonicalJson({ z: 1, a: { y: 2, b: 3 } })).toBe('{"a":{"b":3,"y":2},"z":1}');
  });

  it('differs for any other difference: body, array order, method, route, path parameters, no body', () => {
    const others = [
      { ...base, body: { a: 2, b: [1, { c: 2, d: 3 }] } },
      { ...base, body: { a: 1, b: [{ c: 2, d: 3 }, 1] } },
      { ...base, body: { a: '1', b: [1, { c: 2, d: 3 }] } },
      { ...base, method: 'PATCH' },
      { ...base, route: '/v1/domains' },
      { ...base, params: { link_id: 'lnk_1' } },
      { ...base, body: undefined },
      { ...base, body: null },
    ];
    const prints = new Set([requestFingerprint(base), ...others.map(requestFingerprint)]);
    expect(prints.size).toBe(others.length + 1);
  });
});
