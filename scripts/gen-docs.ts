/**
 * Regenerates the generated parts of docs/ from code: the options table of
 * docs/configuration.md (between the GENERATED markers). `--check` fails when
 * the file is out of date, as the test suite does.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { OPTIONS } from '../src/config/config.ts';

const file = path.join(import.meta.dirname, '..', 'docs', 'configuration.md');
const BEGIN = '<!-- GENERATED: options (scripts/gen-docs.ts) -->';
const END = '<!-- END GENERATED -->';

export function optionsTable(): string {
  const rows = OPTIONS.map((o) => `| \`${o.key}\` | \`${o.env}\` | ${o.default === undefined ? '—' : `\`${String(o.default)}\``} | ${o.doc} |`);
  return ['| file key | environment variable | default | meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

export function render(current: string): string {
  const start = current.indexOf(BEGIN);
  const end = current.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${file} lacks the GENERATED markers`);
  return `${current.slice(0, start + BEGIN.length)}\n${optionsTable()}\n${current.slice(end)}`;
}

if (import.meta.main) {
  const current = readFileSync(file, 'utf8');
  const next = render(current);
  if (process.argv.includes('--check')) {
    if (next !== current) {
      process.stderr.write('docs/configuration.md is out of date: run node scripts/gen-docs.ts\n');
      process.exit(1);
    }
  } else {
    writeFileSync(file, next);
  }
}
