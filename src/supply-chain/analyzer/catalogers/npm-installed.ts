/**
 * Installed npm packages: every `package.json` with a name and a version, as
 * syft's javascript-package-cataloger reads them in images (node_modules trees,
 * global installs under /usr/local/lib/node_modules, the application's own
 * manifest). This is the evidence of what is on disk; lock files only declare.
 */
import type { BufferCataloger } from '../cataloger.ts';
import { isRecord, licensesOf, parseJson, str } from './util.ts';

/** A package.json is small; a big one is generated data, not a manifest. */
const MAX_PACKAGE_JSON_BYTES = 1024 * 1024;

export const npmInstalledCataloger: BufferCataloger = {
  name: 'npm-installed',
  mode: 'buffer',
  maxBytes: MAX_PACKAGE_JSON_BYTES,
  wants: (f) => f.path.endsWith('/package.json'),
  parse(file, ctx) {
    const doc = parseJson(file, ctx);
    if (!isRecord(doc)) return [];
    const name = str(doc.name);
    const version = str(doc.version);
    // Manifests without both (templates, test fixtures, workspace roots) describe no installable package.
    if (name === undefined || version === undefined) return [];
    const licenses = licensesOf(doc.license, doc.licenses);
    return [{ type: 'npm', name, version, ...(licenses ? { licenses } : {}) }];
  },
};
