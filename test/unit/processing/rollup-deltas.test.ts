import { describe, expect, it } from 'vitest';
import { RollupDeltas, type RollupKey } from '../../../src/processing/rollups/rollup-deltas.js';

const key = (overrides: Partial<RollupKey> = {}): RollupKey => ({
  workspaceId: 'ws',
  linkId: 'lnk',
  hour: 0,
  country: 'DE',
  deviceType: 'desktop',
  referrerCategory: 'direct',
  trafficClass: 'human',
  isUnique: true,
  ...overrides,
});

describe('rollup deltas', () => {
  it('sums changes per cell and drops cells that net to zero', () => {
    const deltas = new RollupDeltas();
    deltas.add(key(), 1);
    deltas.add(key(), 1);
    deltas.add(key({ trafficClass: 'bot' }), 1);
    deltas.add(key({ trafficClass: 'bot' }), -1);
    deltas.add(key({ country: null }), 1);
    expect(deltas.toList()).toEqual([
      { ...key(), clicks: 2 },
      { ...key({ country: null }), clicks: 1 },
    ]);
  });

  it('tells null apart from every other value, and unique from not', () => {
    const deltas = new RollupDeltas();
    deltas.add(key({ linkId: null }), 1);
    deltas.add(key({ linkId: 'lnk' }), 1);
    deltas.add(key({ isUnique: false }), 1);
    expect(deltas.toList()).toHaveLength(3);
  });
});
