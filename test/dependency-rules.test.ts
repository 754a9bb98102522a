/**
 * The import rules of .dependency-cruiser.js, run through dependency-cruiser's
 * own API on small throwaway trees: a cycle (type-only, the kind that slipped
 * through before) and imports against the layer order are reported; a tree
 * that keeps the rules passes. The real tree is checked by `npm run lint:deps`
 * in the test command.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';

const ROOT = path.join(import.meta.dirname, '..');
const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function tree(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'berth-deprules-'));
  dirs.push(dir);
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.join(dir, path.dirname(file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  }
  return dir;
}

/** The violations the project's rules find in `dir`, as `rule: from → to`. */
async function violations(dir: string): Promise<string[]> {
  const options = await extractDepcruiseOptions(path.join(ROOT, '.dependency-cruiser.js'));
  // Rules name paths relative to the repository root: cruise from the tree's root.
  const { output } = await cruise(['src'], { ...options, baseDir: dir, tsConfig: undefined, validate: true, outputType: 'json' });
  const result = (typeof output === 'string' ? JSON.parse(output) : output) as ICruiseResult;
  return (result.summary.violations ?? []).map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
}

test('a type-only import cycle is reported', async () => {
  const dir = await tree({
    'src/cli/client.ts': "import type { Settings } from './config.ts';\nexport interface Client { settings: Settings }\n",
    'src/cli/config.ts': "import type { Client } from './client.ts';\nexport interface Settings { server: string }\nexport type Clients = Client[];\n",
  });
  assert.deepEqual(await violations(dir), ['no-circular: src/cli/client.ts → src/cli/config.ts']);
});

test('imports against the layer order are reported', async () => {
  const dir = await tree({
    'src/http/app.ts': 'export const app = 1;\n',
    'src/gitops/engine.ts': "import { app } from '../http/app.ts';\nimport { registry } from '../registry/registry.ts';\nexport const engine = app + registry;\n",
    'src/registry/registry.ts': "import { scan } from '../supply-chain/scan.ts';\nexport const registry = scan;\n",
    'src/supply-chain/scan.ts': 'export const scan = 2;\n',
    'src/oci/digest.ts': "import { registry } from '../registry/registry.ts';\nexport const digest = registry;\n",
    'src/platform/db/database.ts': "import { digest } from '../../oci/digest.ts';\nimport { registry } from '../../registry/registry.ts';\nexport const db = digest + registry;\n",
  });
  assert.deepEqual(await violations(dir), [
    'domain-not-edge: src/gitops/engine.ts → src/http/app.ts',
    'gitops: src/gitops/engine.ts → src/http/app.ts',
    'gitops: src/gitops/engine.ts → src/registry/registry.ts',
    'leaves: src/oci/digest.ts → src/registry/registry.ts',
    'platform: src/platform/db/database.ts → src/registry/registry.ts',
    'registry: src/registry/registry.ts → src/supply-chain/scan.ts',
  ]);
});

test('table types stay leaves, main.ts stays the composition root, the edges stay apart', async () => {
  const dir = await tree({
    'src/access/projects.ts': 'export const projects = 1;\n',
    'src/promotions/schema.ts': "import { projects } from '../access/projects.ts';\nexport const p = projects;\n",
    'src/main.ts': 'export const main = 1;\n',
    'src/promotions/deliver.ts': "import { main } from '../main.ts';\nexport const d = main;\n",
    'src/http/app.ts': "import { cli } from '../cli/client.ts';\nexport const app = cli;\n",
    'src/cli/client.ts': 'export const cli = 1;\n',
    'src/cli/main.ts': "import { main } from '../main.ts';\nexport const run = main;\n",
    'src/promotions/deliver.test.ts': "import { app } from '../http/app.ts';\nexport const t = app;\n",
  });
  assert.deepEqual(await violations(dir), [
    'domain-schema-leaf: src/promotions/schema.ts → src/access/projects.ts',
    'http-not-cli: src/http/app.ts → src/cli/client.ts',
    'main-composes: src/promotions/deliver.ts → src/main.ts',
  ]);
});

test('notify subscribes to events: no domain imports it, and it never imports the registry or the delivery side', async () => {
  const dir = await tree({
    'src/notify/deliver.ts': "import { engine } from '../gitops/engine.ts';\nexport const d = engine;\n",
    'src/notify/schema.ts': 'export interface WebhookPolicyTable { name: string }\n',
    'src/gitops/engine.ts': "import { d } from '../notify/deliver.ts';\nexport const engine = 1;\nexport const x = d;\n",
    'src/registry/registry.ts': "import type { WebhookPolicyTable } from '../notify/schema.ts';\nexport type T = WebhookPolicyTable;\n",
  });
  const found = await violations(dir);
  assert.ok(found.includes('notify: src/notify/deliver.ts → src/gitops/engine.ts'), found.join('\n'));
  assert.ok(found.includes('notify-is-a-leaf-domain: src/gitops/engine.ts → src/notify/deliver.ts'), found.join('\n'));
  assert.ok(!found.some((v) => v.startsWith('notify-is-a-leaf-domain: src/registry/registry.ts')), 'a schema-only import of notify/schema.ts is not a domain import');
});

test('a tree that keeps the layer order passes', async () => {
  const dir = await tree({
    'src/core/errors.ts': 'export class DomainError extends Error {}\n',
    'src/oci/digest.ts': 'export type Digest = string;\n',
    'src/registry/schema.ts': "import type { Digest } from '../oci/digest.ts';\nexport interface BlobTable { digest: Digest }\n",
    'src/platform/db/schema.ts': "import type { BlobTable } from '../../registry/schema.ts';\nexport interface Database { blobs: BlobTable }\n",
    'src/registry/registry.ts':
      "import { DomainError } from '../core/errors.ts';\nimport type { Database } from '../platform/db/schema.ts';\nexport type Db = Database;\nexport const fail = () => new DomainError();\n",
    'src/gitops/engine.ts': "import { DomainError } from '../core/errors.ts';\nexport interface ImageSource { resolve(ref: string): Promise<string> }\nexport const e = DomainError;\n",
    'src/http/app.ts': "import { fail } from '../registry/registry.ts';\nimport type { ImageSource } from '../gitops/engine.ts';\nexport type S = ImageSource;\nexport const app = fail;\n",
    'src/main.ts': "import { app } from './http/app.ts';\nexport const main = app;\n",
  });
  assert.deepEqual(await violations(dir), []);
});
