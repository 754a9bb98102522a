import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AccessError } from '../access/errors.ts';
import { artifactFilter, artifactOrder, repositoryFilter, repositoryOrder, type Term } from './artifact-query.ts';

const terms = (entries: [string, Term][]) => new Map(entries);
const eq = (value: string): Term => ({ op: 'eq', value });
const contains = (value: string): Term => ({ op: 'contains', value });
const DIGEST = `sha256:${'ab'.repeat(32)}`;

function rejects(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => err instanceof AccessError && err.code === 'BAD_REQUEST' && pattern.test(err.message));
}

describe('artifact q', () => {
  test('tags: exact, contains, * (tagged) and nil (untagged)', () => {
    assert.deepEqual(artifactFilter(terms([['tags', eq('v1')]])), { tag: 'v1' });
    assert.deepEqual(artifactFilter(terms([['tags', contains('rel')]])), { tagContains: 'rel' });
    assert.deepEqual(artifactFilter(terms([['tags', eq('*')]])), { tagged: true });
    assert.deepEqual(artifactFilter(terms([['tags', eq('nil')]])), { tagged: false });
  });

  test('digest: a full digest exactly, or the start of one with =~', () => {
    assert.deepEqual(artifactFilter(terms([['digest', eq(DIGEST)]])), { digest: DIGEST });
    assert.deepEqual(artifactFilter(terms([['digest', contains('sha256:AB12')]])), { digestPrefix: 'sha256:ab12' });
    rejects(() => artifactFilter(terms([['digest', eq('sha256:abc')]])), /is not a digest/);
    rejects(() => artifactFilter(terms([['digest', contains("sha256:ab' or 1=1")]])), /not the start of a digest/);
  });

  test('type and media_type', () => {
    assert.deepEqual(artifactFilter(terms([['type', eq('index')]])), { type: 'INDEX' });
    assert.deepEqual(artifactFilter(terms([['media_type', eq('application/vnd.oci.image.manifest.v1+json')]])), { mediaType: 'application/vnd.oci.image.manifest.v1+json' });
    rejects(() => artifactFilter(terms([['type', eq('CHART')]])), /IMAGE, INDEX, OTHER/);
    rejects(() => artifactFilter(terms([['media_type', contains('json')]])), /exactly/);
  });

  test('several terms combine; empty, long and unknown terms are refused', () => {
    assert.deepEqual(artifactFilter(terms([['tags', eq('*')], ['type', eq('IMAGE')]])), { tagged: true, type: 'IMAGE' });
    rejects(() => artifactFilter(terms([['tags', eq('')]])), /empty value/);
    rejects(() => artifactFilter(terms([['tags', eq('x'.repeat(257))]])), /longer than 256/);
    rejects(() => artifactFilter(terms([['labels', eq('x')]])), /cannot filter artifacts on "labels"/);
  });
});

describe('repository q', () => {
  test('name exact or contains; nothing else', () => {
    assert.deepEqual(repositoryFilter(terms([])), {});
    assert.deepEqual(repositoryFilter(terms([['name', eq('app/web')]])), { name: 'app/web' });
    assert.deepEqual(repositoryFilter(terms([['name', contains('web')]])), { nameContains: 'web' });
    rejects(() => repositoryFilter(terms([['description', eq('x')]])), /allowed: name/);
  });
});

describe('sort orders', () => {
  test('artifacts: newest push first by default, the digest breaks ties', () => {
    assert.deepEqual(artifactOrder([]), [
      { field: 'push_time', desc: true },
      { field: 'digest', desc: false },
    ]);
    assert.deepEqual(artifactOrder([{ field: 'size', desc: true }]), [
      { field: 'size', desc: true },
      { field: 'digest', desc: false },
    ]);
    assert.deepEqual(artifactOrder([{ field: 'digest', desc: true }]), [{ field: 'digest', desc: true }]);
  });

  test('repositories: by name by default, the name breaks ties', () => {
    assert.deepEqual(repositoryOrder([]), [{ field: 'name', desc: false }]);
    assert.deepEqual(repositoryOrder([{ field: 'pull_count', desc: true }]), [
      { field: 'pull_count', desc: true },
      { field: 'name', desc: false },
    ]);
  });
});
