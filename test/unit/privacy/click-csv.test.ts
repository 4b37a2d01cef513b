import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, CSV_HEADER, csvRow } from '../../../src/clicks/click-csv.js';
import { clickResource } from '../../../src/clicks/click-resource.js';
import { aProcessedClick } from '../../contract/click-fixtures.js';

describe('click CSV', () => {
  it('writes one row per click in the header’s column order, RFC 4180 quoted', () => {
    const resource = clickResource({
      ...aProcessedClick({ referrerHost: 'a,"b"' }),
      reasons: ['datacenter_network', 'ua_headless_browser'],
    });
    const row = csvRow(resource);
    expect(CSV_HEADER.trim().split(',')).toEqual([...CSV_COLUMNS]);
    expect(row.endsWith('\r\n')).toBe(true);
    expect(row).toContain('"a,""b"""');
    expect(row).toContain('datacenter_network|ua_headless_browser');
    expect(row.split(',')[0]).toBe(resource.click_id);
  });

  it('defuses text a spreadsheet would run as a formula', () => {
    const resource = clickResource(aProcessedClick({ referrerHost: '=HYPERLINK("x")' }));
    expect(csvRow(resource)).toContain(`"'=HYPERLINK(""x"")"`);
  });
});
