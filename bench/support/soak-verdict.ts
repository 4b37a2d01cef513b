/** One minute of a soak run, as the server and the subscriber saw it. */
export interface Sample {
  readonly rssMb: number;
  readonly loopLagMs: number;
  readonly processorLagS: number;
  readonly deliveryLagP99Ms: number;
}

/**
 * What counts as "keeps growing", per series, after the first minute (warm-up: caches, JIT, the
 * first WAL checkpoint): every one of the last three samples above the one before it, and the
 * last above the post-warm-up start by more than the series' noise allowance. A plateau, a
 * wobble or a single spike passes; a staircase fails.
 */
const ALLOWANCE: Record<
  keyof Sample,
  { readonly relative: number; readonly absolute: number; readonly label: string }
> = {
  rssMb: { relative: 0.2, absolute: 32, label: 'RSS (MB)' },
  loopLagMs: { relative: 0.5, absolute: 20, label: 'event-loop lag p99 (ms)' },
  processorLagS: { relative: 0.5, absolute: 1, label: 'processor lag (s)' },
  deliveryLagP99Ms: { relative: 0.5, absolute: 250, label: 'delivery lag p99 (ms)' },
};

export function verdicts(samples: readonly Sample[]): string[] {
  const failures: string[] = [];
  const settled = samples.slice(1);
  if (settled.length < 4) return failures; // too short to tell a trend from noise
  for (const series of Object.keys(ALLOWANCE) as (keyof Sample)[]) {
    const values = settled.map((sample) => sample[series]);
    if (values.some((value) => !Number.isFinite(value))) continue;
    const { relative, absolute, label } = ALLOWANCE[series];
    const tail = values.slice(-4);
    const rising = tail.every((value, index) => index === 0 || value > tail[index - 1]!);
    const first = values[0]!;
    const last = values.at(-1)!;
    if (rising && last > first * (1 + relative) + absolute) {
      failures.push(`${label} kept growing: ${values.map((value) => value.toFixed(1)).join(' → ')}`);
    }
  }
  return failures;
}
