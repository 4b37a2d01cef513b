import fs from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Filters `clickwire export` passes through to `GET /v1/exports/clicks`, as `--kebab-case` flags. */
export const EXPORT_FILTER_FLAGS = [
  'link_id',
  'campaign_id',
  'tag',
  'occurred_after',
  'occurred_before',
  'country',
  'device_type',
  'referrer_category',
  'traffic_class',
  'is_unique',
  'is_suspicious',
  'include_bots',
  'include_suspicious',
  'include_simulated',
] as const;

export interface ExportCommand {
  readonly apiUrl: string;
  readonly apiKey: string;
  readonly format: 'ndjson' | 'csv';
  readonly out: string;
  readonly filters: Readonly<Record<string, string>>;
  /** Continue a file an earlier run left unfinished, after its last complete row. */
  readonly resume: boolean;
  /** Where the progress line goes (stderr); `null` for none. */
  readonly progress: NodeJS.WritableStream | null;
}

export interface ExportResult {
  readonly rows: number;
  readonly bytes: number;
}

/**
 * Streams an export into a file: the response body is piped to the file with backpressure (the
 * file's pace sets the server's), so memory stays flat. With `resume`, a partial last row left by
 * an interrupted run is cut off and the export continues after the last complete one.
 */
export async function runExport(command: ExportCommand): Promise<ExportResult> {
  const query = new URLSearchParams({ ...command.filters, format: command.format });
  let skipHeader = false;
  if (command.resume && fs.existsSync(command.out)) {
    const last = lastCompleteRow(command.out, command.format);
    if (last !== null) {
      query.set('cursor', last);
      skipHeader = command.format === 'csv';
    }
  }
  const response = await fetch(`${command.apiUrl.replace(/\/$/, '')}/v1/exports/clicks?${query}`, {
    headers: { authorization: `Bearer ${command.apiKey}` },
  });
  if (!response.ok || response.body === null) {
    const detail = await response.text().catch(() => '');
    throw new Error(`export failed: HTTP ${response.status} ${detail}`);
  }
  let rows = 0;
  let bytes = 0;
  let headerPending = skipHeader;
  let lastShown = 0;
  const show = (final: boolean) => {
    if (!command.progress) return;
    const now = Date.now();
    if (!final && now - lastShown < 200) return;
    lastShown = now;
    command.progress.write(
      `\r${bar(rows)} ${rows.toLocaleString('en')} clicks, ${(bytes / 1_048_576).toFixed(1)} MB${final ? '\n' : ''}`,
    );
  };
  const count = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      let data = chunk;
      if (headerPending) {
        const end = data.indexOf(0x0a);
        if (end === -1) return done();
        data = data.subarray(end + 1);
        headerPending = false;
      }
      for (let i = data.indexOf(0x0a); i !== -1; i = data.indexOf(0x0a, i + 1)) rows++;
      bytes += data.length;
      show(false);
      done(null, data);
    },
  });
  await pipeline(
    Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>),
    count,
    fs.createWriteStream(command.out, { flags: command.resume ? 'a' : 'w' }),
  );
  if (command.format === 'csv' && !skipHeader) rows = Math.max(0, rows - 1);
  show(true);
  return { rows, bytes };
}

/** A bar that fills per 10,000 rows and starts over: the total is not known ahead. */
function bar(rows: number): string {
  const width = 20;
  const filled = Math.floor((rows % 10_000) / (10_000 / width));
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

/**
 * The click id of the file's last complete row, after cutting off an incomplete one; `null`
 * when the file holds no row yet.
 */
export function lastCompleteRow(file: string, format: 'ndjson' | 'csv'): string | null {
  const text = fs.readFileSync(file, 'utf8');
  const end = text.lastIndexOf('\n');
  if (end + 1 < text.length) fs.truncateSync(file, Buffer.byteLength(text.slice(0, end + 1)));
  const lines = text
    .slice(0, end + 1)
    .split(/\r?\n/)
    .filter((line) => line !== '');
  const last = lines.at(-1);
  if (last === undefined) return null;
  if (format === 'ndjson') return (JSON.parse(last) as { click_id: string }).click_id;
  if (lines.length === 1) return null; // only the header
  return last.slice(0, last.indexOf(','));
}
