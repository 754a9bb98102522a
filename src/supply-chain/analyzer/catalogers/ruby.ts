/**
 * Ruby gems. Installed: `specifications/*.gemspec` under a gem home (the
 * Ruby code RubyGems writes at install time; read as text, never run: the
 * `# stub:` line or the `s.name =` / `s.version =` assignments). Declared:
 * Gemfile.lock, the `specs:` of its GEM, GIT and PATH sections, platform
 * suffixes (`-x86_64-linux`) dropped from versions.
 */
import type { BufferCataloger } from '../cataloger.ts';
import type { PackageFact } from '../../types.ts';
import { FactList, LOCK_FILE_MAX_BYTES, insideInstalledPackage, lines } from './util.ts';

const GEMSPEC_MAX_BYTES = 1024 * 1024;

/** A Ruby string literal on the right of `=`: "x", 'x', %q{x}, optionally `.freeze`. */
const RUBY_STRING = /^(?:"([^"]*)"|'([^']*)'|%q[{(<[]([^})>\]]*)[})>\]])/;

function assigned(text: string, field: string): string | undefined {
  // [ \t] rather than \s: \s would span newlines, and a run of blank lines would make the search quadratic.
  const m = new RegExp(`^[ \\t]*\\w+\\.${field}[ \\t]*=[ \\t]*(.+)$`, 'm').exec(text);
  if (!m) return undefined;
  const value = m[1]!.replace(/^Gem::Version\.new\(\s*/, '');
  const s = RUBY_STRING.exec(value);
  return s ? (s[1] ?? s[2] ?? s[3])?.trim() : undefined;
}

export function parseGemspec(text: string): PackageFact | undefined {
  const stub = /^# stub: (\S+) (\S+)/m.exec(text);
  const name = assigned(text, 'name') ?? stub?.[1];
  const version = assigned(text, 'version') ?? stub?.[2];
  if (!name || !version) return undefined;
  const lic = /^[ \t]*\w+\.licenses?[ \t]*=[ \t]*\[?(.+)$/m.exec(text);
  const licenses = lic ? [...lic[1]!.matchAll(/"([^"]+)"|'([^']+)'/g)].map((x) => x[1] ?? x[2]!).slice(0, 20) : [];
  return { type: 'gem', name, version, ...(licenses.length > 0 ? { licenses } : {}) };
}

export const gemspecCataloger: BufferCataloger = {
  name: 'gemspec',
  mode: 'buffer',
  maxBytes: GEMSPEC_MAX_BYTES,
  wants: (f) => f.path.endsWith('.gemspec') && f.path.includes('/specifications/'),
  parse(file) {
    const fact = parseGemspec(file.content.toString('utf8'));
    return fact ? [fact] : [];
  },
};

export function parseGemfileLock(text: string, out: FactList): void {
  let inSpecs = false;
  let section = '';
  for (const line of lines(text)) {
    if (/^\S/.test(line)) {
      section = line.trim();
      inSpecs = false;
      continue;
    }
    if (line === '  specs:') {
      inSpecs = section === 'GEM' || section === 'GIT' || section === 'PATH';
      continue;
    }
    if (!inSpecs) continue;
    // Exactly four spaces: a gem; six are its dependencies' ranges.
    const m = /^ {4}([A-Za-z0-9._-]+) \(([^)]+)\)$/.exec(line);
    if (m) out.add({ type: 'gem', name: m[1]!, version: m[2]!.split('-')[0]! });
  }
}

export const gemfileLockCataloger: BufferCataloger = {
  name: 'gemfile-lock',
  mode: 'buffer',
  maxBytes: LOCK_FILE_MAX_BYTES,
  wants: (f) => (f.path.endsWith('/Gemfile.lock') || f.path.endsWith('/gems.locked')) && !insideInstalledPackage(f.path),
  parse(file, ctx) {
    const out = new FactList();
    parseGemfileLock(file.content.toString('utf8'), out);
    return out.done(file.path, ctx);
  },
};
