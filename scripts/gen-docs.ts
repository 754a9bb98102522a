/**
 * Regenerates the generated parts of docs/ from code: the options table of
 * docs/configuration.md and the role table of docs/permissions.md (between
 * GENERATED markers). `--check` fails when a file is out of date, as the
 * test suite does.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { permissionsTable } from '../src/access/permissions.ts';
import { OPTIONS } from '../src/config/config.ts';

const docs = path.join(import.meta.dirname, '..', 'docs');
const file = path.join(docs, 'configuration.md');
const BEGIN = '<!-- GENERATED: options (scripts/gen-docs.ts) -->';
const END = '<!-- END GENERATED -->';
const PERMISSIONS_FILE = path.join(docs, 'permissions.md');
const PERMISSIONS_BEGIN = '<!-- GENERATED: permissions (scripts/gen-docs.ts) -->';

function replaceBetween(current: string, begin: string, body: string): string {
  const start = current.indexOf(begin);
  const end = current.indexOf(END, start);
  if (start < 0 || end < start) throw new Error(`missing ${begin} markers`);
  return `${current.slice(0, start + begin.length)}\n${body}\n${current.slice(end)}`;
}

export function renderPermissions(current: string): string {
  return replaceBetween(current, PERMISSIONS_BEGIN, permissionsTable());
}

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
  let stale = false;
  for (const [target, renderer] of [
    [file, render],
    [PERMISSIONS_FILE, renderPermissions],
  ] as const) {
    const current = readFileSync(target, 'utf8');
    const next = renderer(current);
    if (next === current) continue;
    if (process.argv.includes('--check')) {
      process.stderr.write(`${path.relative(process.cwd(), target)} is out of date: run node scripts/gen-docs.ts\n`);
      stale = true;
    } else {
      writeFileSync(target, next);
    }
  }
  if (stale) process.exit(1);
}
