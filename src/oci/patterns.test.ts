import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertPattern, matchesPattern, PatternError } from './patterns.ts';

test('doublestar semantics as Harbor selectors use them', () => {
  const cases: [string, string, boolean][] = [
    ['**', 'team/app', true],
    ['**', 'v1.0', true],
    ['*', 'team/app', false],
    ['*', 'app', true],
    ['team/*', 'team/app', true],
    ['team/*', 'team/app/sub', false],
    ['team/**', 'team/app/sub', true],
    ['v1.*', 'v1.2', true],
    ['v1.*', 'v2.0', false],
    ['release-{prod,stage}', 'release-prod', true],
    ['release-{prod,stage}', 'release-dev', false],
    ['v?.0', 'v1.0', true],
    ['[0-9]*', '1.2.3', true],
    ['[0-9]*', 'latest', false],
    ['.hidden*', '.hidden-tag', true],
    ['!latest', 'latest', false],
  ];
  for (const [p, name, want] of cases) assert.equal(matchesPattern(p, name), want, `${p} ~ ${name}`);
});

test('empty and oversized patterns are refused with a clear error', () => {
  assert.throws(() => assertPattern(''), PatternError);
  assert.throws(() => assertPattern('a'.repeat(600)), /at most 512/);
});
