import { describe, expect, it } from 'vitest';
import { redirectLocation } from '../../../src/redirect/redirect-location.js';

describe('redirect location', () => {
  it('is the destination when the link does not forward the query', () => {
    expect(redirectLocation('https://example.com/a', 'utm=1', false)).toBe('https://example.com/a');
  });

  it('appends the query with ? or &, before the fragment', () => {
    expect(redirectLocation('https://example.com/a', 'utm=1', true)).toBe('https://example.com/a?utm=1');
    expect(redirectLocation('https://example.com/a?x=1', 'utm=1', true)).toBe(
      'https://example.com/a?x=1&utm=1',
    );
    expect(redirectLocation('https://example.com/a?x=1#top', 'utm=1', true)).toBe(
      'https://example.com/a?x=1&utm=1#top',
    );
    expect(redirectLocation('https://example.com/a?', 'utm=1', true)).toBe('https://example.com/a?utm=1');
  });

  it('leaves the destination alone for an empty query', () => {
    expect(redirectLocation('https://example.com/a#f', '', true)).toBe('https://example.com/a#f');
  });
});
