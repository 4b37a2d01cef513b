/** A primary language subtag: ISO 639-1 or 639-2/3 letters. */
const LANGUAGE_SUBTAG = /^[a-z]{2,3}$/;

/** Subtags that are valid in form but name no language. */
const NOT_A_LANGUAGE: ReadonlySet<string> = new Set(['und', 'mul', 'mis', 'zxx']);

/** Entries looked at; a browser sends a handful, anything beyond is noise. */
const MAX_ENTRIES = 32;

/**
 * The primary language subtag (`de` from `de-CH`) of the most preferred entry of an
 * `Accept-Language` header, lower case; the first entry wins among equal weights. Entries that
 * name no language (`*`, `i-klingon`, malformed tags) or are refused (`q=0`, a bad `q`) are skipped.
 * `null` when no entry qualifies. Never throws.
 */
export function primaryLanguage(acceptLanguage: string | undefined): string | null {
  if (acceptLanguage === undefined) return null;
  let best: string | null = null;
  let bestWeight = 0;
  const entries = acceptLanguage.split(',', MAX_ENTRIES);
  for (const entry of entries) {
    const [range = '', ...parameters] = entry.split(';');
    const weight = qualityOf(parameters);
    if (!(weight > bestWeight)) continue;
    const primary = (range.trim().split(/[-_]/, 1)[0] ?? '').toLowerCase();
    if (!LANGUAGE_SUBTAG.test(primary) || NOT_A_LANGUAGE.has(primary)) continue;
    best = primary;
    bestWeight = weight;
  }
  return best;
}

/** The `q` weight among an entry's parameters: 1 when absent, `NaN` when malformed or out of 0..1. */
function qualityOf(parameters: readonly string[]): number {
  for (const parameter of parameters) {
    const [name = '', value = ''] = parameter.split('=', 2);
    if (name.trim().toLowerCase() !== 'q') continue;
    const text = value.trim();
    const weight = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/.test(text) ? Number(text) : Number.NaN;
    return weight;
  }
  return 1;
}
