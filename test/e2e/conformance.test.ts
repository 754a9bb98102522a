/**
 * The OCI distribution-spec conformance suite (built by
 * test/peers/conformance.sh) against Berth with token auth on: every
 * workflow — pull, push, content discovery (tags, referrers), content
 * management (deletes) — with sha256 and sha512 data, upload cancel, digest
 * headers and ?tag= pushes (OCI_VERSION=dev). The run must report 0 failures,
 * 0 errors and one skip: a named-source mount with a token lacking pull on
 * the source (the token's scope decides, as in CNCF Distribution).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { ADMIN_PASSWORD, startTestBerth, type TestBerth } from '../support/berth.ts';
import { peerPath, skipUnlessPeer } from '../support/peers.ts';

const run = promisify(execFile);
let berth: TestBerth;
let work: string;

before(async () => {
  berth = await startTestBerth();
  work = await mkdtemp(path.join(os.tmpdir(), 'berth-conformance-'));
});
after(async () => {
  await berth.stop();
  await rm(work, { recursive: true, force: true });
});

interface JunitSummary {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  failed: string[];
  skippedNames: string[];
}

function parseJunit(xml: string): JunitSummary {
  const root = /<testsuites\b([^>]*)>/.exec(xml)?.[1] ?? '';
  const attr = (name: string) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(root)?.[1] ?? 0);
  const failed = [...xml.matchAll(/<testcase name="([^"]*)"[^>]*>\s*<(?:failure|error)\b/g)].map((m) => m[1]!);
  const skippedNames = [...xml.matchAll(/<testcase name="([^"]*)"[^>]*\bstatus="skipped"/g)].map((m) => m[1]!);
  return { tests: attr('tests'), failures: attr('failures'), errors: attr('errors'), skipped: attr('skipped'), failed, skippedNames };
}

test('OCI distribution-spec conformance: 0 failures with token auth', { skip: skipUnlessPeer('conformance'), timeout: 10 * 60_000 }, async () => {
  const results = path.join(work, 'results');
  const challenge = await fetch(`${berth.url}/v2/`);
  assert.match(challenge.headers.get('www-authenticate') ?? '', /^Bearer realm=/, 'token auth is on');

  const env = {
    ...process.env,
    OCI_VERSION: 'dev',
    OCI_REGISTRY: berth.hostPort,
    OCI_TLS: 'disabled',
    OCI_REPO1: 'conformance/repo1',
    OCI_REPO2: 'conformance/repo2',
    OCI_USERNAME: 'admin',
    OCI_PASSWORD: ADMIN_PASSWORD,
    OCI_RESULTS_DIR: results,
    OCI_API_PULL: 'true',
    OCI_API_PUSH: 'true',
    OCI_API_TAGS_LIST: 'true',
    OCI_API_REFERRER: 'true',
    OCI_API_BLOBS_DELETE: 'true',
    OCI_API_MANIFESTS_DELETE: 'true',
    OCI_API_TAGS_DELETE: 'true',
    OCI_API_BLOBS_UPLOAD_CANCEL: 'true',
    OCI_API_BLOBS_DIGEST_HEADER: 'true',
    OCI_API_MANIFESTS_DIGEST_HEADER: 'true',
    OCI_API_MANIFESTS_TAG_PARAM: 'true',
    OCI_DATA_SHA512: 'true',
  };
  let stdout: string;
  try {
    ({ stdout } = await run(peerPath('conformance'), [], { cwd: work, env, maxBuffer: 64 * 1024 * 1024, timeout: 9 * 60_000 }));
  } catch (err) {
    stdout = (err as { stdout?: string }).stdout ?? '';
  }
  // The suite exits 0 without a report on a configuration error: require junit.xml.
  const summary = parseJunit(await readFile(path.join(results, 'junit.xml'), 'utf8'));
  process.stdout.write(`conformance: ${summary.tests} tests, ${summary.failures} failures, ${summary.errors} errors, ${summary.skipped} skipped\n`);
  assert.ok(summary.tests >= 900, `expected the full suite, got ${summary.tests} tests\n${stdout.slice(-3000)}`);
  assert.deepEqual(summary.failed, [], `failing conformance tests:\n${summary.failed.join('\n')}`);
  assert.equal(summary.failures + summary.errors, 0, stdout.slice(-3000));
  // The one skip allowed: the suite mounts `from` repo2 with a token it was
  // granted for repo1 only, and a bearer token's granted scope is the
  // authority for a named source (as in CNCF Distribution), so Berth answers
  // 202 and the suite falls back to POST+PUT. docker, containerd, crane and
  // skopeo ask for `repository:<from>:pull` too and do mount (crane suite).
  assert.deepEqual(summary.skippedNames, ['OCI Conformance Test/sha256 blobs/mount/blob-mount'], `skipped conformance tests (an unsupported feature):\n${stdout.slice(-3000)}`);
  assert.match(stdout, /OCI Conformance Result: Pass/);

  const metrics = await (await fetch(`${berth.url}/metrics`)).text();
  assert.match(metrics, /berth_http_requests_total\{method="GET",route="token",status="200"\} [1-9]/, 'the suite authenticated with tokens');
});
