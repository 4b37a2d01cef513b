import { describe, expect, it } from 'vitest';
import { botScore, SIGNAL_WEIGHTS } from '../../../src/processing/classification/bot-score.js';
import { classifyClick } from '../../../src/processing/classification/classify-click.js';
import { REASON_CODES, type ReasonCode } from '../../../src/processing/classification/reason-code.js';
import { fixtureClick } from '../../fixtures/raw-click.js';
import { ALL_FIXTURES } from '../../fixtures/user-agents.js';

function subset(mask: number): ReasonCode[] {
  return REASON_CODES.filter((_, bit) => (mask & (1 << bit)) !== 0);
}

describe('botScore', () => {
  it('is 0 without evidence and a signal’s own weight alone', () => {
    expect(botScore([])).toBe(0);
    for (const code of REASON_CODES) expect(botScore([code])).toBeCloseTo(SIGNAL_WEIGHTS[code], 4);
  });

  it('combines signals as 1 − Π(1 − w)', () => {
    expect(botScore(['datacenter_network', 'missing_fetch_metadata'])).toBeCloseTo(1 - 0.6 * 0.6, 4);
  });

  it('counts a repeated signal once', () => {
    expect(botScore(['datacenter_network', 'datacenter_network'])).toBe(botScore(['datacenter_network']));
  });

  it('never decreases when a signal is added, over every subset of signals', () => {
    const all = 1 << REASON_CODES.length;
    const scores = Array.from({ length: all }, (_, mask) => botScore(subset(mask)));
    for (let mask = 0; mask < all; mask++) {
      const before = scores[mask] ?? Number.NaN;
      if (!(before >= 0 && before <= 1)) expect.fail(`score of [${subset(mask)}] is ${before}`);
      for (let bit = 0; bit < REASON_CODES.length; bit++) {
        const after = scores[mask | (1 << bit)] ?? Number.NaN;
        if (!(after >= before))
          expect.fail(`adding ${REASON_CODES[bit]} to [${subset(mask)}] lowered the score`);
      }
    }
  });

  it('never decreases when a click gains a datacenter network or a burst', () => {
    const burst = {
      recentClicksSameVisitorSameLink: 9,
      recentDistinctLinksSameNetwork: 9,
      windowSeconds: 10,
    };
    for (const row of ALL_FIXTURES) {
      const click = fixtureClick(row);
      const base = classifyClick(click).botScore;
      const onCloud = classifyClick({ ...click, asn: 16509, asnOrg: 'Amazon.com, Inc.' }).botScore;
      const bursting = classifyClick(click, { burst }).botScore;
      const both = classifyClick({ ...click, asn: 16509, asnOrg: 'Amazon.com, Inc.' }, { burst }).botScore;
      expect(onCloud, row.name).toBeGreaterThanOrEqual(base);
      expect(bursting, row.name).toBeGreaterThanOrEqual(base);
      expect(both, row.name).toBeGreaterThanOrEqual(Math.max(onCloud, bursting));
    }
  });
});
