/**
 * Summarizes a V8 .cpuprofile (from `node --cpu-prof`): self time per
 * function and per area (Berth's code, a dependency, Node internals, GC...).
 * Runnable on its own: node bench/lib/cpu-profile.ts FILE.cpuprofile [TOP]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  /** share of non-idle time */
  busyMs: number;
  topFunctions: { name: string; where: string; selfMs: number; pctOfBusy: number }[];
  areas: { area: string; selfMs: number; pctOfBusy: number }[];
}

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');

function area(url: string, name: string): string {
  if (name === '(idle)') return '(idle)';
  if (name === '(garbage collector)') return 'GC';
  if (name === '(program)' || name === '(root)') return 'V8/native (program)';
  if (url === '') return 'native';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return `dep:${nm[1]}`;
  const file = url.startsWith('file://') ? url.slice(7) : url;
  if (file.startsWith(REPO_ROOT)) return `berth:${path.relative(REPO_ROOT, file).split('/').slice(0, 2).join('/')}`;
  return 'other';
}

function where(url: string, line: number): string {
  if (!url) return '';
  const file = url.startsWith('file://') ? url.slice(7) : url;
  const shown = file.startsWith(REPO_ROOT) ? path.relative(REPO_ROOT, file) : file.replace(/^.*node_modules\//, '');
  return `${shown}:${line + 1}`;
}

export function summarizeProfile(file: string, top = 20): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const id = p.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
  }
  const fn = new Map<string, { name: string; where: string; us: number }>();
  const areas = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    if (!n) continue;
    total += us;
    const { functionName, url, lineNumber } = n.callFrame;
    const name = functionName || '(anonymous)';
    if (name === '(idle)') {
      idle += us;
      continue;
    }
    const key = `${name}@${url}:${lineNumber}`;
    const e = fn.get(key) ?? { name, where: where(url, lineNumber), us: 0 };
    e.us += us;
    fn.set(key, e);
    const a = area(url, name);
    areas.set(a, (areas.get(a) ?? 0) + us);
  }
  const busy = total - idle;
  const pct = (us: number) => Math.round((1000 * us) / Math.max(busy, 1)) / 10;
  return {
    file,
    totalMs: Math.round(total / 1000),
    busyMs: Math.round(busy / 1000),
    topFunctions: [...fn.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((e) => ({ name: e.name, where: e.where, selfMs: Math.round(e.us / 1000), pctOfBusy: pct(e.us) })),
    areas: [...areas.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([a, us]) => ({ area: a, selfMs: Math.round(us / 1000), pctOfBusy: pct(us) })),
  };
}

export function formatProfile(s: ProfileSummary, topAreas = 12): string {
  const lines = [`CPU profile ${s.file}: ${(s.totalMs / 1000).toFixed(1)} s sampled, ${(s.busyMs / 1000).toFixed(1)} s busy (not idle)`];
  lines.push('  self time by area:');
  for (const a of s.areas.slice(0, topAreas)) lines.push(`    ${a.pctOfBusy.toFixed(1).padStart(5)}%  ${String(a.selfMs).padStart(7)} ms  ${a.area}`);
  lines.push('  top functions by self time:');
  for (const f of s.topFunctions) lines.push(`    ${f.pctOfBusy.toFixed(1).padStart(5)}%  ${String(f.selfMs).padStart(7)} ms  ${f.name}  ${f.where}`);
  return lines.join('\n');
}

if (import.meta.main) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: node bench/lib/cpu-profile.ts FILE.cpuprofile [TOP]\n');
    process.exit(2);
  }
  process.stdout.write(`${formatProfile(summarizeProfile(file, top ? Number(top) : 25))}\n`);
}
