/**
 * Cost of classifying and enriching one click, over the fixture mix of real user agents.
 * Run: npx tsx bench/classify.ts
 *
 * Prints µs per click for the processor's pure work with warm per-user-agent caches (the normal
 * case: a traffic mix repeats its user agents), with every user agent new (the worst case: an
 * attacker randomising the header — every click misses the LRU), and, as the baseline run beside
 * them, the uncached library calls the caches replace (`isbot` + ua-parser-js per click).
 * Budget: 20,000 clicks/s on 2 cores is 100 µs of one core per click for the whole processor;
 * classify + enrich should stay well under 20 µs.
 */
import { isbot } from 'isbot';
import UAParser from 'ua-parser-js';
import type { RawClick } from '../src/click-log/raw-click.js';
import type { ClassificationContext } from '../src/processing/classification/classification.js';
import { classifyClick } from '../src/processing/classification/classify-click.js';
import { enrichClick } from '../src/processing/enrichment/enrich-click.js';
import { fixtureClick } from '../test/fixtures/raw-click.js';
import { ALL_FIXTURES } from '../test/fixtures/user-agents.js';

const OWN_HOSTS = ['go.example.com', 'example.com'];
const mix: { click: RawClick; context: ClassificationContext }[] = ALL_FIXTURES.map((row) => ({
  click: fixtureClick(row),
  context: row.burst ? { burst: row.burst } : {},
}));

let sink = 0;

function processClick(click: RawClick, context: ClassificationContext): void {
  const classification = classifyClick(click, context);
  const enrichment = enrichClick(click, { ownHosts: OWN_HOSTS, isBot: classification.isBot });
  sink += classification.botScore + enrichment.deviceType.length;
}

/** Runs `clicks` iterations of `body` over the mix and returns µs per click (best of `rounds`). */
function measure(clicks: number, rounds: number, body: (index: number) => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < clicks; i++) body(i);
    const micros = Number(process.hrtime.bigint() - start) / 1_000 / clicks;
    best = Math.min(best, micros);
  }
  return best;
}

const at = (i: number) => mix[i % mix.length] as (typeof mix)[number];

// Warm the caches and the JIT.
for (let i = 0; i < 50_000; i++) processClick(at(i).click, at(i).context);

const warm = measure(500_000, 5, (i) => processClick(at(i).click, at(i).context));
const classifyOnly = measure(500_000, 5, (i) => {
  sink += classifyClick(at(i).click, at(i).context).botScore;
});
const enrichOnly = measure(500_000, 5, (i) => {
  sink += enrichClick(at(i).click, { ownHosts: OWN_HOSTS }).deviceType.length;
});

let unique = 0;
const cold = measure(20_000, 3, (i) => {
  const { click, context } = at(i);
  const ua = click.headers['user-agent'];
  unique++;
  const headers = ua === undefined ? click.headers : { ...click.headers, 'user-agent': `${ua} r/${unique}` };
  processClick({ ...click, headers }, context);
});

const parser = new UAParser();
const baseline = measure(20_000, 3, (i) => {
  const ua = at(i).click.headers['user-agent'] ?? '';
  sink += Number(isbot(ua)) + (parser.setUA(ua).getResult().browser.name?.length ?? 0);
});

const rows: [string, number][] = [
  ['baseline: uncached isbot + ua-parser-js per click', baseline],
  ['classify + enrich, warm caches (normal traffic)', warm],
  ['  classify only', classifyOnly],
  ['  enrich only', enrichOnly],
  ['classify + enrich, every user agent new (worst case)', cold],
];
console.log(`fixture mix: ${mix.length} clients, Node ${process.version}`);
for (const [label, micros] of rows) {
  const ratio = micros / baseline;
  console.log(
    `${label.padEnd(54)} ${micros.toFixed(2).padStart(7)} µs/click  ${ratio.toFixed(2).padStart(5)}× baseline  ≈ ${Math.round(1e6 / micros).toLocaleString('en-US')} clicks/s/core`,
  );
}
if (sink === Number.MIN_VALUE) console.log(sink);
