import { describe, expect, it } from 'vitest';
import { monthPartition } from '../../../src/adapters/postgres/click-partitions.js';

describe('monthPartition (PostgreSQL clicks partitions)', () => {
  it('covers the UTC month of the instant, [first ms, first ms of the next month)', () => {
    expect(monthPartition(Date.UTC(2026, 10, 27, 23, 59))).toEqual({
      name: 'clicks_p202611',
      from: Date.UTC(2026, 10, 1),
      to: Date.UTC(2026, 11, 1),
    });
    // The last millisecond of a month is still in it; the next one is not.
    expect(monthPartition(Date.UTC(2026, 11, 1) - 1).name).toBe('clicks_p202611');
    expect(monthPartition(Date.UTC(2026, 11, 1)).name).toBe('clicks_p202612');
  });

  it('steps across year ends in both directions, each partition ending where the next begins', () => {
    const at = Date.UTC(2026, 11, 15);
    const names = [-13, -1, 0, 1, 2].map((offset) => monthPartition(at, offset).name);
    expect(names).toEqual([
      'clicks_p202511',
      'clicks_p202611',
      'clicks_p202612',
      'clicks_p202701',
      'clicks_p202702',
    ]);
    for (let offset = -14; offset < 14; offset++) {
      expect(monthPartition(at, offset).to).toBe(monthPartition(at, offset + 1).from);
    }
  });
});
