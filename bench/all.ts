/**
 * `npm run bench`: runs every `bench:*` script of package.json in turn — each measures its figures
 * beside a baseline from the same run and rewrites its own section of docs/performance.md — then
 * writes the report's header: the machine it ran on, when, what ran, how long each took, and the
 * command to reproduce it.
 *
 * Run: npm run bench [-- --skip bench:query]   (skip takes a comma-separated list)
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writePerformanceSection } from './support/performance-doc.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { skip: { type: 'string', default: '' } } });
const skipped = new Set(values.skip.split(',').filter(Boolean));

const scripts = Object.keys(
  (
    JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    }
  ).scripts,
).filter((name) => name.startsWith('bench:') && !skipped.has(name));

const results: { name: string; seconds: number; exitCode: number | null }[] = [];
for (const name of scripts) {
  console.log(`\n=== npm run ${name} ===\n`);
  const started = Date.now();
  const run = spawnSync('npm', ['run', name], { cwd: ROOT, stdio: 'inherit' });
  results.push({ name, seconds: (Date.now() - started) / 1000, exitCode: run.status });
}

const cpus = os.cpus();
const load = os.loadavg().map((figure) => figure.toFixed(2));
const header = [
  '## The last full run',
  '',
  `- When: ${new Date().toISOString()}`,
  `- Machine: ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ` +
    `${os.type()} ${os.release()}, Node.js ${process.version}; load average at the end ${load.join(' / ')}`,
  `- Reproduce: \`npm run bench\`${skipped.size ? ` (this run skipped ${[...skipped].join(', ')})` : ''}`,
  '',
  '| benchmark | took | outcome |',
  '|---|---|---|',
  ...results.map(
    (result) =>
      `| \`npm run ${result.name}\` | ${result.seconds.toFixed(0)} s | ${result.exitCode === 0 ? 'ran' : `failed (exit ${result.exitCode})`} |`,
  ),
].join('\n');
writePerformanceSection('bench:all', header);
console.log(`\n${header}\n`);
process.exitCode = results.some((result) => result.exitCode !== 0) ? 1 : 0;
