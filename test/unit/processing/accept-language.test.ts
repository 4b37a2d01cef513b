import { describe, expect, it } from 'vitest';
import { primaryLanguage } from '../../../src/processing/enrichment/accept-language.js';

describe('primaryLanguage', () => {
  const cases: readonly [string | undefined, string | null][] = [
    ['de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7', 'de'],
    ['en-US,en;q=0.9', 'en'],
    ['fr', 'fr'],
    ['EN-gb', 'en'],
    ['zh-Hant-TW,zh;q=0.9', 'zh'],
    ['pt_BR', 'pt'],
    ['fil-PH', 'fil'],
    // the highest weight wins, wherever it stands; the first wins among equals
    ['en;q=0.5, de;q=0.8, fr;q=0.8', 'de'],
    ['en;q=0.1,ja', 'ja'],
    [' es-419 ; q=1 , en ; q=0.5', 'es'],
    // refused, wildcard and malformed entries are skipped
    ['de;q=0, en;q=0.2', 'en'],
    ['*, nl;q=0.5', 'nl'],
    ['*', null],
    ['i-klingon, sv;q=0.4', 'sv'],
    ['und, it;q=0.1', 'it'],
    ['en;q=2, de;q=0.5', 'de'],
    ['en;q=abc', null],
    ['english', null],
    ['e1-US', null],
    ['', null],
    [',,,;;;', null],
    [undefined, null],
  ];

  it.each(cases)('%j → %j', (header, expected) => {
    expect(primaryLanguage(header)).toBe(expected);
  });
});
