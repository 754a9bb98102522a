/**
 * Reads the `[[name]]` array-of-tables sections of a TOML lock file
 * (Cargo.lock, poetry.lock): for each one, its own string and
 * array-of-strings keys. Lock files use that much TOML and no more, and a full
 * TOML library is not among Berth's dependencies; this is a bounded,
 * line-oriented reader, not a TOML parser: sub-tables (`[package.extras]`,
 * `[[package.files]]`) and inline tables are stepped over, multi-line arrays
 * are followed with string-aware bracket counting.
 */

import { lines } from './util.ts';

export type TomlValue = string | string[];

/** A value spanning more lines than this is not a lock file's. */
const MAX_VALUE_LINES = 10_000;

/** Parses one TOML string (basic with escapes, or literal); undefined if `s` is not one. */
function parseString(s: string): { value: string; rest: string } | undefined {
  if (s.startsWith("'")) {
    const end = s.indexOf("'", 1);
    return end < 0 ? undefined : { value: s.slice(1, end), rest: s.slice(end + 1) };
  }
  if (!s.startsWith('"')) return undefined;
  // Most values have no escapes: one search instead of a character loop.
  const end = s.indexOf('"', 1);
  const escape = s.indexOf('\\', 1);
  if (end > 0 && (escape < 0 || escape > end)) return { value: s.slice(1, end), rest: s.slice(end + 1) };
  let out = '';
  for (let i = 1; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"') return { value: out, rest: s.slice(i + 1) };
    if (c === '\\') {
      const n = s[++i];
      if (n === 'u' || n === 'U') {
        const len = n === 'u' ? 4 : 8;
        out += String.fromCodePoint(Number.parseInt(s.slice(i + 1, i + 1 + len), 16) || 0xfffd);
        i += len;
      } else out += n === 'n' ? '\n' : n === 't' ? '\t' : (n ?? '');
    } else out += c;
  }
  return undefined;
}

/** Bracket depth change of a line, ignoring brackets inside strings and after comments. */
function depthDelta(line: string): number {
  if (!/[[\]{}]/.test(line)) return 0;
  let depth = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '#') break;
    if (c === '"' || c === "'") {
      const parsed = parseString(line.slice(i));
      if (parsed === undefined) break;
      i = line.length - parsed.rest.length - 1;
    } else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
  }
  return depth;
}

/** The strings of an array value `["a", "b"]` (other elements ignored). */
function parseArray(s: string): string[] {
  const out: string[] = [];
  let rest = s.trim().slice(1);
  while (rest.length > 0) {
    rest = rest.replace(/^[\s,]+/, '');
    if (rest.startsWith(']') || rest === '') break;
    const str = parseString(rest);
    if (str !== undefined) {
      out.push(str.value);
      rest = str.rest;
    } else {
      const next = rest.search(/[,\]]/);
      if (next < 0) break;
      rest = rest.slice(next);
      if (rest.startsWith(']')) break;
    }
  }
  return out;
}

/**
 * The `[[table]]` sections' top-level keys, in order. Throws on a value that
 * never closes (the file is cut or hostile).
 */
export function readArrayTables(text: string, table: string): Record<string, TomlValue>[] {
  const out: Record<string, TomlValue>[] = [];
  let current: Record<string, TomlValue> | undefined;
  const it = lines(text);
  let i = -1;
  for (let next = it.next(); !next.done; next = it.next()) {
    i++;
    const line = next.value.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('[')) {
      const header = /^\[\[\s*([^\]]+?)\s*\]\]/.exec(line) ?? /^\[\s*([^\]]+?)\s*\]/.exec(line);
      const isOurs = line.startsWith('[[') && header?.[1] === table;
      current = isOurs ? {} : undefined;
      if (current !== undefined) out.push(current);
      continue;
    }
    const kv = /^([A-Za-z0-9_-]+|"[^"]*")\s*=\s*(.*)$/.exec(line);
    if (kv === null) continue;
    let value = kv[2]!;
    let depth = depthDelta(value);
    const start = i;
    while (depth > 0) {
      const more = it.next();
      if (more.done || ++i - start > MAX_VALUE_LINES) throw new Error(`value of ${kv[1]} at line ${start + 1} never closes`);
      value += '\n' + more.value;
      depth += depthDelta(more.value);
    }
    if (current === undefined) continue;
    const key = kv[1]!.replace(/^"|"$/g, '');
    if (value.startsWith('[')) current[key] = parseArray(value);
    else {
      const str = parseString(value);
      if (str !== undefined) current[key] = str.value;
    }
  }
  return out;
}
