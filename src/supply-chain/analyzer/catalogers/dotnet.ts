/**
 * .NET: `*.deps.json`, written by the SDK beside every published application;
 * its `libraries` map `Name/Version` to a type. NuGet packages (`package`)
 * and the runtime packs of self-contained apps (`runtimepack`) are reported;
 * `project` and `reference` entries are the application's own assemblies.
 */
import type { BufferCataloger } from '../cataloger.ts';
import { FactList, LOCK_FILE_MAX_BYTES, isRecord, parseJson, str } from './util.ts';

export const dotnetDepsCataloger: BufferCataloger = {
  name: 'dotnet-deps',
  mode: 'buffer',
  maxBytes: LOCK_FILE_MAX_BYTES,
  wants: (f) => f.path.endsWith('.deps.json'),
  parse(file, ctx) {
    const doc = parseJson(file, ctx);
    if (doc === undefined) return [];
    if (!isRecord(doc) || !isRecord(doc.libraries)) {
      ctx.skip(file.path, 'malformed deps.json: no "libraries" object');
      return [];
    }
    const out = new FactList();
    for (const [key, lib] of Object.entries(doc.libraries)) {
      const type = isRecord(lib) ? str(lib.type) : undefined;
      if (type !== 'package' && type !== 'runtimepack') continue;
      const slash = key.lastIndexOf('/');
      if (slash <= 0 || slash === key.length - 1) continue;
      // A runtime pack's key carries a `runtimepack.` prefix; the NuGet package is named without it.
      const name = key.slice(0, slash).replace(/^runtimepack\./, '');
      out.add({ type: 'nuget', name, version: key.slice(slash + 1) });
    }
    return out.done(file.path, ctx);
  },
};
