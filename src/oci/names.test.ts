import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isValidRepositoryName, isValidTag, MAX_REPOSITORY_NAME_LENGTH } from './names.ts';

test('accepts spec-conformant nested names', () => {
  for (const ok of ['a', 'library/alpine', 'team/app/component', 'a.b_c__d-e--f/x9', 'my-org/my.repo']) {
    assert.ok(isValidRepositoryName(ok), ok);
  }
});

test('rejects traversal, uppercase, separators at edges, encoded and over-long names', () => {
  const long = `${'a'.repeat(MAX_REPOSITORY_NAME_LENGTH - 2)}/bb`;
  for (const bad of ['', '..', 'a/../b', '%2e%2e/a', 'A/b', 'a//b', '/a', 'a/', '-a', 'a-', 'a___b', 'a..b', 'a b', 'a:b', long]) {
    assert.ok(!isValidRepositoryName(bad), bad);
  }
  assert.ok(isValidRepositoryName('a'.repeat(MAX_REPOSITORY_NAME_LENGTH)));
});

test('tags follow the spec grammar', () => {
  for (const ok of ['latest', 'v1.2.3', '_x', 'A-b_c.d', 'x'.repeat(128)]) assert.ok(isValidTag(ok), ok);
  for (const bad of ['', '.x', '-x', 'a/b', 'a:b', 'x'.repeat(129)]) assert.ok(!isValidTag(bad), bad);
});
