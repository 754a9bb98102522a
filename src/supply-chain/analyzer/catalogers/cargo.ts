/**
 * Rust: Cargo.lock, every `[[package]]` (crates.io, git and the workspace's
 * own crates, as syft's cargo-lock cataloger reports them). Binaries built
 * with cargo-auditable are the analyzer's binary cataloger's.
 */
import type { BufferCataloger } from '../cataloger.ts';
import { FactList, LOCK_FILE_MAX_BYTES, insideInstalledPackage } from './util.ts';
import { readArrayTables } from './toml-tables.ts';

export const cargoLockCataloger: BufferCataloger = {
  name: 'cargo-lock',
  mode: 'buffer',
  maxBytes: LOCK_FILE_MAX_BYTES,
  wants: (f) => f.path.endsWith('/Cargo.lock') && !insideInstalledPackage(f.path),
  parse(file, ctx) {
    const out = new FactList();
    try {
      for (const pkg of readArrayTables(file.content.toString('utf8'), 'package')) {
        if (typeof pkg.name === 'string' && typeof pkg.version === 'string' && pkg.name !== '' && pkg.version !== '') {
          out.add({ type: 'cargo', name: pkg.name, version: pkg.version });
        }
      }
    } catch (err) {
      ctx.skip(file.path, `malformed Cargo.lock: ${(err as Error).message.slice(0, 200)}`);
      return [];
    }
    return out.done(file.path, ctx);
  },
};
