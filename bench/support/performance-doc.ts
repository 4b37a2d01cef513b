import fs from 'node:fs';
import path from 'node:path';

export const PERFORMANCE_DOC = path.resolve(import.meta.dirname, '../../docs/performance.md');

/**
 * Replaces the section between `<!-- {name}:start -->` and `<!-- {name}:end -->` of
 * docs/performance.md (or appends it), leaving every other section alone. `body` is the text
 * between the markers.
 */
export function writePerformanceSection(name: string, body: string): void {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const section = `${start}\n${body.trim()}\n${end}`;
  const current = fs.existsSync(PERFORMANCE_DOC)
    ? fs.readFileSync(PERFORMANCE_DOC, 'utf8')
    : '# Performance\n';
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  const next =
    from !== -1 && to > from
      ? current.slice(0, from) + section + current.slice(to + end.length)
      : `${current.trimEnd()}\n\n${section}\n`;
  fs.writeFileSync(PERFORMANCE_DOC, next);
}
