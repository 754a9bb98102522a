import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError, OPTIONS, loadConfig } from './config.ts';

test('defaults', () => {
  const c = loadConfig({ env: {} });
  assert.equal(c.listen, '0.0.0.0:5000');
  assert.equal(c.baseUrl, 'http://localhost:5000');
  assert.equal(c.database, `sqlite:${path.resolve('data', 'berth.db')}`);
  assert.equal(c.anonymousPull, false);
});

test('file then environment, environment wins', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-config-'));
  const file = path.join(dir, 'berth.yaml');
  writeFileSync(file, 'listen: 127.0.0.1:6000\nanonymousPull: true\ntokenTtlSeconds: 600\n');
  const c = loadConfig({ file, env: { BERTH_LISTEN: '[::1]:7000', BERTH_EXTERNAL_URL: 'https://registry.example.com/' } });
  assert.equal(c.listen, '[::1]:7000');
  assert.equal(c.anonymousPull, true);
  assert.equal(c.tokenTtlSeconds, 600);
  assert.equal(c.baseUrl, 'https://registry.example.com');
});

test('bad values are refused with the option and variable named', () => {
  assert.throws(() => loadConfig({ env: { BERTH_LISTEN: 'nope' } }), (e: unknown) => e instanceof ConfigError && /listen \(BERTH_LISTEN\)/.test(e.message));
  assert.throws(() => loadConfig({ env: { BERTH_ANONYMOUS_PULL: 'maybe' } }), /BERTH_ANONYMOUS_PULL must be true or false/);
  assert.throws(() => loadConfig({ env: { BERTH_TOKEN_TTL_SECONDS: '5' } }), /tokenTtlSeconds/);
  assert.throws(() => loadConfig({ env: { BERTH_ADMIN_PASSWORD: 'short' } }), /adminPassword/);
});

test('unknown keys in the file are refused', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-config-'));
  const file = path.join(dir, 'berth.yaml');
  writeFileSync(file, 'lisen: 1\n');
  assert.throws(() => loadConfig({ file, env: {} }), /lisen/);
});

test('docs/configuration.md documents every option with its variable', () => {
  const doc = readFileSync(path.join(import.meta.dirname, '..', '..', 'docs', 'configuration.md'), 'utf8');
  for (const o of OPTIONS) {
    assert.ok(doc.includes(`\`${o.env}\``), `${o.env} missing from docs/configuration.md`);
    assert.ok(doc.includes(`\`${o.key}\``), `${o.key} missing from docs/configuration.md`);
  }
});

test('the generated options table in docs/configuration.md is current', async () => {
  const { render } = await import('../../scripts/gen-docs.ts');
  const doc = readFileSync(path.join(import.meta.dirname, '..', '..', 'docs', 'configuration.md'), 'utf8');
  assert.equal(render(doc), doc, 'run: node scripts/gen-docs.ts');
});
