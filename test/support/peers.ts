/**
 * Locates peer tools built by test/peers/*.sh (cached by version outside the
 * repository). In CI a missing peer is an error; elsewhere the caller skips.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export const inCI = process.env.CI === 'true' || process.env.CI === '1';
const cache = new Map<string, string | Error>();

/**
 * The absolute path of the peer's binary, or an Error saying why it is
 * missing. Throws in CI.
 */
export function findPeer(name: string): string | Error {
  let found = cache.get(name);
  if (found === undefined) {
    try {
      const out = execFileSync('bash', [path.join(import.meta.dirname, '..', 'peers', `${name}.sh`)], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 20 * 60_000,
      });
      found = out.trim().split('\n').pop() ?? '';
      if (!found) found = new Error(`test/peers/${name}.sh printed no path`);
    } catch (err) {
      found = new Error(`peer ${name} is unavailable: ${(err as Error).message.split('\n').slice(0, 3).join(' ')}`);
    }
    cache.set(name, found);
  }
  if (found instanceof Error && inCI) throw found;
  return found;
}

/** For node:test `skip`: false when the peer exists, else the reason. */
export function skipUnlessPeer(name: string): false | string {
  const p = findPeer(name);
  return p instanceof Error ? p.message : false;
}

export function peerPath(name: string): string {
  const p = findPeer(name);
  if (p instanceof Error) throw p;
  return p;
}
