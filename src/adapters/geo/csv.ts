/**
 * Minimal RFC 4180 CSV reader for the bundled data files.
 *
 * Written here instead of pulling in a CSV library because the needs are narrow (comma
 * separator, double-quote quoting, `""` escapes, LF or CRLF records) and the input is large (tens
 * of megabytes at start-up): a callback over one reused field array avoids allocating an array
 * per record, which keeps the ASN table load well under a second.
 */

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;
const BOM = 0xfeff;

/**
 * Receives one record. `fields` is reused for the next record: copy anything kept beyond the
 * call. `recordNumber` counts non-blank records from 1, for error messages.
 */
export type CsvRecordHandler = (fields: readonly string[], recordNumber: number) => void;

/**
 * Calls `onRecord` for each record of `text`. Quoted fields may contain commas, line breaks and
 * doubled quotes; a quote inside an unquoted field is taken literally (data vendors do write
 * `ACME "Net" Ltd` unquoted). Blank lines are skipped. A leading byte-order mark is ignored.
 *
 * @returns the number of records.
 * @throws Error on an unterminated quoted field or text after a closing quote — a corrupt or
 *   reformatted file, which should stop start-up rather than load half a table.
 */
export function forEachCsvRecord(text: string, onRecord: CsvRecordHandler): number {
  const fields: string[] = [];
  const length = text.length;
  let i = text.charCodeAt(0) === BOM ? 1 : 0;
  let record = 0;
  let nextComma = -1;
  let nextLf = -1;
  while (i < length) {
    const first = text.charCodeAt(i);
    if (first === LF) {
      i++;
      continue;
    }
    if (first === CR && isRecordEnd(text, i)) {
      i += 2;
      continue;
    }
    record++;
    let count = 0;
    for (;;) {
      if (text.charCodeAt(i) === QUOTE) {
        i++;
        let value = '';
        let from = i;
        for (;;) {
          const q = text.indexOf('"', i);
          if (q < 0) throw new Error(`CSV record ${record}: unterminated quoted field`);
          if (text.charCodeAt(q + 1) === QUOTE) {
            value += text.slice(from, q + 1);
            i = q + 2;
            from = i;
            continue;
          }
          value += text.slice(from, q);
          i = q + 1;
          break;
        }
        fields[count++] = value;
      } else {
        // Native `indexOf` scans far faster than a per-character loop; both positions are cached
        // because each stays valid (the first one at or after `i`) until `i` passes it.
        if (nextComma < i) nextComma = indexOrEnd(text, ',', i);
        if (nextLf < i) nextLf = indexOrEnd(text, '\n', i);
        let end = Math.min(nextComma, nextLf);
        // The CR of a CRLF (or of a lone CR ending the text) belongs to the line break.
        if (end === nextLf && end > i && text.charCodeAt(end - 1) === CR) end--;
        fields[count++] = text.slice(i, end);
        i = end;
      }
      if (i >= length) break;
      const c = text.charCodeAt(i);
      if (c === COMMA) {
        i++;
        continue;
      }
      if (c === LF) {
        i++;
        break;
      }
      if (c === CR && isRecordEnd(text, i)) {
        i += 2; // past CR LF, or past the end after a final lone CR
        break;
      }
      throw new Error(`CSV record ${record}: unexpected character after quoted field`);
    }
    // Truncate only when the shape changes: resizing the array every record is measurable.
    if (fields.length !== count) fields.length = count;
    onRecord(fields, record);
  }
  return record;
}

/** True when the CR at `i` ends a record: followed by LF, or the last character of the text. */
function isRecordEnd(text: string, i: number): boolean {
  return i + 1 === text.length || text.charCodeAt(i + 1) === LF;
}

/** Index of `search` at or after `from`, or the text length when absent. */
function indexOrEnd(text: string, search: string, from: number): number {
  const index = text.indexOf(search, from);
  return index < 0 ? text.length : index;
}
