import fc from 'fast-check';

/** Strings that have broken servers before: traversal, encodings, injection, sizes, look-alike ids. */
const NOTORIOUS = [
  '',
  ' ',
  '..',
  '../../etc/passwd',
  '%00',
  '%ff%fe',
  '%',
  '%zz',
  '\u0000',
  '\uffff',
  '\ud800',
  '😀',
  "' OR 1=1 --",
  '"; DROP TABLE clicks; --',
  '<script>alert(1)</script>',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a Log4Shell-style probe, sent as plain text
  '${jndi:ldap://x}',
  '{{7*7}}',
  'null',
  'undefined',
  'true',
  '-1',
  '0',
  '1e309',
  '-0',
  'NaN',
  '99999999999999999999999999',
  '__proto__',
  'constructor',
  'lnk_01HZZZZZZZZZZZZZZZZZZZZZZZ',
  'clk_00000000000000000000000000',
  'wsp_01HZZZZZZZZZZZZZZZZZZZZZZZ',
  'x'.repeat(5_000),
  'é'.repeat(300),
];

/** Any string, weighted towards the notorious ones. */
export const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NOTORIOUS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
);

/** A value for a JSON field: wrong types, extremes, nesting. */
export const hostileJsonValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.constantFrom(null, true, false, 0, -1, 1.5, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1e308),
  fc.array(hostileString, { maxLength: 5 }),
  fc.dictionary(hostileString, hostileString, { maxKeys: 4 }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** Bytes for a header value: mostly printable, sometimes invalid UTF-8, control bytes or CR/LF. */
export const hostileHeaderValue: fc.Arbitrary<Buffer> = fc.oneof(
  hostileString.map((text) => Buffer.from(text.replace(/[\r\n]/g, ''))),
  fc.constant(Buffer.from([0xff, 0xfe, 0xc3, 0x28])),
  fc.constant(Buffer.from('a\r\nx-injected: yes')),
  fc.constant(Buffer.from('a\rb')),
  fc.constant(Buffer.from('a\u0000b')),
  fc.constant(Buffer.alloc(20_000, 'h')),
);

/** Raw request bodies that are not what any route wants. */
export const hostileBody: fc.Arbitrary<Buffer> = fc.oneof(
  fc.constant(Buffer.from(`${'['.repeat(50_000)}${']'.repeat(50_000)}`)),
  fc.constant(Buffer.from('{"a":')),
  fc.constant(Buffer.from('{"n": 1e400}')),
  fc.constant(Buffer.from('{"n": 123456789012345678901234567890}')),
  fc.constant(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])),
  fc.constant(Buffer.from('{"__proto__": {"admin": true}}')),
  fc.jsonValue({ maxDepth: 4 }).map((value) => Buffer.from(JSON.stringify(value) ?? 'null')),
);

/** Percent-encodes a string for a path segment or query part, or — sometimes — leaves it raw. */
export function encodePart(text: string, raw: boolean): string {
  if (!raw) return encodeURIComponent(text.replace(/[\ud800-\udfff]/g, '?'));
  // Raw bytes a browser would never send, but a hostile client can.
  return text.replace(/[\s#?]/g, '_');
}

/**
 * Runs a property and, when it fails, throws a short error: the failure and the seed to replay it,
 * without the counterexample's bytes (a 20 KB header would drown the report).
 */
export async function assertProperty<T>(property: fc.IAsyncProperty<T>, numRuns: number): Promise<void> {
  try {
    await fc.assert(property, { numRuns });
  } catch (error) {
    const failure = error as Error & { cause?: unknown };
    const message = failure.message.replace(/Counterexample: [^\n]*\n/, '');
    const cause = failure.cause instanceof Error ? `\ncaused by: ${failure.cause.message}` : '';
    throw new Error(`${message}${cause}`.slice(0, 4_000));
  }
}
