/**
 * Unit tests of the web UI's pure helpers (web/src, no DOM): where sign-in may send the
 * browser back to, the pull command, URLs of repositories whose names contain slashes,
 * and the expiry warning of robots and tokens.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loginPath, safeNext } from '../web/src/app/next.ts';
import { expiryState } from '../web/src/access/expiry.ts';
import { artifactUrl, parseRepositoryPath, pullCommand, repositoryUrl, withinProject } from '../web/src/registry/paths.ts';

describe('web UI helpers', () => {
  test('safeNext keeps same-origin paths only', () => {
    assert.equal(safeNext('/projects/team?page=2'), '/projects/team?page=2');
    for (const bad of [null, '', 'https://evil.example/', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)', '/login?next=/x']) {
      assert.equal(safeNext(bad), '/', String(bad));
    }
  });

  test('loginPath carries where to return and why', () => {
    assert.equal(loginPath('/projects/a b', true), '/login?next=%2Fprojects%2Fa+b&expired=1');
    assert.equal(loginPath('/', false), '/login');
    assert.equal(loginPath('/login?x=1', true), '/login?expired=1');
  });

  test('pull commands name a tag with ":" and a digest with "@"', () => {
    assert.equal(pullCommand('reg.example:5000', 'team', 'web/app'), 'docker pull reg.example:5000/team/web/app');
    assert.equal(pullCommand('reg.example', 'team', 'app', 'v1.25'), 'docker pull reg.example/team/app:v1.25');
    assert.equal(pullCommand('reg.example', 'team', 'app', 'sha256:abc'), 'docker pull reg.example/team/app@sha256:abc');
  });

  test('repository URLs keep slashes as segments and round-trip through parseRepositoryPath', () => {
    assert.equal(repositoryUrl('team', 'web/app'), '/projects/team/repositories/web/app');
    const url = artifactUrl('team', 'web/app', 'sha256:abc');
    assert.equal(url, '/projects/team/repositories/web/app/artifacts/sha256%3Aabc');
    const rest = url.slice('/projects/team/repositories/'.length);
    assert.deepEqual(parseRepositoryPath(rest), { repository: 'web/app', reference: 'sha256:abc' });
    assert.deepEqual(parseRepositoryPath('web/app/'), { repository: 'web/app' });
    // A repository named "artifacts" inside a path: the last "/artifacts/" splits.
    assert.deepEqual(parseRepositoryPath('x/artifacts/y/artifacts/1.0'), { repository: 'x/artifacts/y', reference: '1.0' });
    assert.deepEqual(parseRepositoryPath('a/artifacts/%E0%A4%A'), { repository: 'a', reference: '%E0%A4%A' });
    assert.equal(withinProject('team', 'team/web/app'), 'web/app');
  });

  test('expiry warns within 7 days', () => {
    const now = Date.UTC(2026, 0, 1);
    const day = 86_400_000;
    assert.equal(expiryState(null, now), 'never');
    assert.equal(expiryState(now - 1, now), 'expired');
    assert.equal(expiryState(now + 6 * day, now), 'expiring');
    assert.equal(expiryState(now + 7 * day, now), 'expiring');
    assert.equal(expiryState(now + 8 * day, now), 'ok');
  });
});
