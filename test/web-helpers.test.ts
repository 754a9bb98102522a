/**
 * Unit tests of the web UI's pure helpers (web/src, no DOM): where sign-in may send the
 * browser back to, the pull command, URLs of repositories whose names contain slashes,
 * the expiry warning of robots and tokens, and the robot form (what an edit sends).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loginPath, safeNext } from '../web/src/app/next.ts';
import { expiryState } from '../web/src/access/expiry.ts';
import { formValuesOf, permissionSets, remainingDays, robotChanges, validDays, type RobotLike } from '../web/src/access/robotForm.ts';
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

  test('robot form: filled from a robot, an edit sends only what changed', () => {
    const now = Date.UTC(2026, 0, 1);
    const day = 86_400_000;
    const pull = { resource: 'repository', action: 'pull' };
    const push = { resource: 'repository', action: 'push' };
    const robot: RobotLike = { level: 'project', project: 'team', description: 'ci', expiresAt: now + 10 * day - 1000, permissions: [{ namespace: 'team', access: [pull] }] };
    const values = formValuesOf(robot, now);
    assert.deepEqual(values, { description: 'ci', days: 10, namespaces: 'team', chosen: ['repository:pull'], uniform: true });
    // Untouched: nothing to send (re-sending the days left would restart the expiry count).
    assert.deepEqual(robotChanges(robot, values, now), {});
    assert.deepEqual(robotChanges(robot, { ...values, description: 'deploys', chosen: ['repository:pull', 'repository:push'] }, now), {
      description: 'deploys',
      permissions: [{ namespace: 'team', access: [pull, push] }],
    });
    assert.deepEqual(robotChanges(robot, { ...values, days: -1 }, now), { duration: -1 });
    assert.equal(remainingDays(null, now), -1);
    assert.equal(remainingDays(now - day, now), 0);
    assert.ok(validDays(-1) && validDays('30') && !validDays(0) && !validDays('') && !validDays(1.5) && !validDays(36_501));
  });

  test('robot form: system robots list projects; differing permissions show as their union', () => {
    const pull = { resource: 'repository', action: 'pull' };
    const read = { resource: 'artifact', action: 'read' };
    const robot: RobotLike = { level: 'system', project: null, description: '', expiresAt: null, permissions: [{ namespace: 'a', access: [pull] }, { namespace: 'b', access: [pull, read] }] };
    const values = formValuesOf(robot);
    assert.equal(values.uniform, false);
    assert.deepEqual(values.chosen, ['artifact:read', 'repository:pull']);
    assert.equal(values.namespaces, 'a, b');
    // Untouched, the robot keeps its per-project permissions; reordering projects is no change.
    assert.deepEqual(robotChanges(robot, values), {});
    assert.deepEqual(robotChanges(robot, { ...values, namespaces: 'b,a' }), {});
    assert.deepEqual(robotChanges(robot, { ...values, namespaces: 'a, c, a' }).permissions?.map((p) => p.namespace), ['a', 'c']);
    assert.deepEqual(permissionSets({ ...values, chosen: ['tag:list'] }, 'team'), [{ namespace: 'team', access: [{ resource: 'tag', action: 'list' }] }]);
  });
});
