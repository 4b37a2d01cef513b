import { describe, expect, it } from 'vitest';
import { type Sample, verdicts } from '../../bench/support/soak-verdict.js';

function run(rss: number[]): Sample[] {
  return rss.map((rssMb) => ({ rssMb, loopLagMs: 5, processorLagS: 0.1, deliveryLagP99Ms: 20 }));
}

describe('soak verdict', () => {
  it('passes a plateau, a wobble and a one-off spike', () => {
    expect(verdicts(run([100, 180, 182, 181, 183, 182]))).toEqual([]);
    expect(verdicts(run([100, 180, 170, 190, 175, 185, 178]))).toEqual([]);
    expect(verdicts(run([100, 180, 180, 400, 181, 180]))).toEqual([]);
  });

  it('fails a staircase that keeps climbing past the allowance', () => {
    const [failure] = verdicts(run([100, 180, 230, 280, 330, 380]));
    expect(failure).toMatch(/RSS \(MB\) kept growing: 180\.0 → 230\.0/);
  });

  it('ignores the warm-up minute and runs too short to show a trend', () => {
    expect(verdicts(run([10, 180, 181, 182, 183, 184]))).toEqual([]);
    expect(verdicts(run([100, 200, 300, 400]))).toEqual([]);
  });

  it('skips a series the server does not export', () => {
    const samples = run([100, 180, 181, 182, 183, 184]).map((sample) => ({
      ...sample,
      loopLagMs: Number.NaN,
    }));
    expect(verdicts(samples)).toEqual([]);
  });
});
