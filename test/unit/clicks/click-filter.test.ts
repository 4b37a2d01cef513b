import { describe, expect, it } from 'vitest';
import { clickFilterOf } from '../../../src/clicks/click-filter.js';

describe('clickFilterOf', () => {
  it('by default: people only, suspicious ones included, simulated ones not', () => {
    expect(clickFilterOf({})).toEqual({
      linkId: null,
      campaignId: null,
      tag: null,
      occurredFrom: null,
      occurredUntil: null,
      country: null,
      deviceType: null,
      referrerCategory: null,
      trafficClass: 'human',
      isUnique: null,
      isSuspicious: null,
      simulated: false,
    });
  });

  it('turns the include switches into conditions', () => {
    expect(clickFilterOf({ includeBots: true })).toMatchObject({ trafficClass: null });
    expect(clickFilterOf({ includeBots: false })).toMatchObject({ trafficClass: 'human' });
    expect(clickFilterOf({ includeSuspicious: false })).toMatchObject({ isSuspicious: false });
    expect(clickFilterOf({ includeSuspicious: true })).toMatchObject({ isSuspicious: null });
    expect(clickFilterOf({ includeSimulated: true })).toMatchObject({ simulated: null });
  });

  it('lets an explicit value win over a switch', () => {
    expect(clickFilterOf({ trafficClass: 'bot', includeBots: false })).toMatchObject({ trafficClass: 'bot' });
    expect(clickFilterOf({ isSuspicious: true, includeSuspicious: false })).toMatchObject({
      isSuspicious: true,
    });
    expect(clickFilterOf({ isSuspicious: false })).toMatchObject({ isSuspicious: false });
  });

  it('gives equal filters for equal inputs, however they were spelled', () => {
    const a = clickFilterOf({ country: 'DE', includeBots: false, includeSimulated: false });
    const b = clickFilterOf({ includeSuspicious: true, country: 'DE' });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });
});
