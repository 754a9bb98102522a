import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GitError } from './errors.ts';
import { canonicalRepoUrl, normalizeRepoUrl, sameRepository, validateRepoUrl } from './urls.ts';

test('normalizeRepoUrl: one comparable form per repository', () => {
  const same = [
    'https://github.com/argoproj/argocd-example-apps',
    'https://github.com/argoproj/argocd-example-apps.git',
    'https://github.com/argoproj/argocd-example-apps/',
    'https://github.com/argoproj/argocd-example-apps.git/',
    'HTTPS://GitHub.com/argoproj/argocd-example-apps',
    'https://github.com:443/argoproj/argocd-example-apps',
    'https://alice@github.com/argoproj/argocd-example-apps.git',
    'https://GitHub.com/ArgoProj/ArgoCD-Example-Apps.git',
  ];
  for (const u of same) assert.equal(normalizeRepoUrl(u), 'https://github.com/argoproj/argocd-example-apps', u);
  for (const u of ['git@github.com:argoproj/argocd-example-apps.git', 'ssh://git@github.com/argoproj/argocd-example-apps.git', 'ssh://git@GITHUB.com:22/argoproj/argocd-example-apps', 'git+ssh://github.com/argoproj/argocd-example-apps']) {
    assert.equal(normalizeRepoUrl(u), 'ssh://github.com/argoproj/argocd-example-apps', u);
  }
  assert.equal(normalizeRepoUrl('ssh://git@host:2222/org/repo.git'), 'ssh://host:2222/org/repo');
  assert.equal(normalizeRepoUrl('http://127.0.0.1:8080/apps.git'), 'http://127.0.0.1:8080/apps');
  assert.notEqual(normalizeRepoUrl('http://h/org/repo'), normalizeRepoUrl('https://h/org/repo'));
  assert.equal(normalizeRepoUrl('  not a url  '), 'not a url');
  assert.equal(normalizeRepoUrl('https://u:secret@h/r'), 'https://h/r', 'userinfo is stripped even from refused URLs');
});

test('canonicalRepoUrl keeps the path case; sameRepository matches across protocols', () => {
  assert.equal(canonicalRepoUrl('https://GitHub.com/Org/Repo.git'), 'https://github.com/Org/Repo');
  assert.equal(canonicalRepoUrl('git@GitHub.com:Org/Repo.git'), 'ssh://github.com/Org/Repo');
  assert.ok(sameRepository('https://github.com/org/repo', 'git@github.com:Org/Repo.git'));
  assert.ok(sameRepository('https://github.com/org/repo.git', 'https://github.com/org/repo'));
  assert.ok(!sameRepository('https://github.com/org/repo', 'https://github.com/org/repo2'));
  assert.ok(!sameRepository('https://github.com/org/repo', 'https://gitlab.com/org/repo'));
});

test('validateRepoUrl accepts https, http, ssh and scp-like URLs', () => {
  assert.deepEqual(validateRepoUrl('https://github.com/org/repo.git'), { scheme: 'https', host: 'github.com', path: '/org/repo.git', scpLike: false });
  assert.deepEqual(validateRepoUrl('http://127.0.0.1:3000/org/repo'), { scheme: 'http', host: '127.0.0.1:3000', path: '/org/repo', scpLike: false });
  assert.deepEqual(validateRepoUrl('ssh://git@host:2222/org/repo'), { scheme: 'ssh', host: 'host:2222', user: 'git', path: '/org/repo', scpLike: false });
  assert.deepEqual(validateRepoUrl('git@github.com:org/repo.git'), { scheme: 'ssh', host: 'github.com', user: 'git', path: '/org/repo.git', scpLike: true });
  assert.deepEqual(validateRepoUrl('host.example:repo'), { scheme: 'ssh', host: 'host.example', path: '/repo', scpLike: true });
  assert.equal(validateRepoUrl('https://[::1]:8443/r').host, '[::1]:8443');
  assert.equal(validateRepoUrl('file:///srv/git/r.git', { allowFileUrls: true }).scheme, 'file');
});

test('validateRepoUrl refuses everything else with a clear message', () => {
  const cases: [string, RegExp][] = [
    ['', /is empty/],
    ['ftp://host/repo', /ftp:\/\/ protocol is not supported/],
    ['git://host/repo', /git:\/\/ protocol is not supported/],
    ['file:///srv/repo', /file:\/\/ repositories are not allowed/],
    ['/srv/git/repo.git', /not a supported repository URL/],
    ['./repo', /not a supported repository URL/],
    ['ext::sh -c touch% /tmp/pwned', /whitespace|transport helpers/],
    ['ext::sh', /transport helpers/],
    ['fd::17', /transport helpers/],
    ['-oProxyCommand=touch:repo', /must not start with "-"/],
    ['git@-oProxyCommand=x:repo', /host must not be empty or start with "-"/],
    ['ssh://-oProxyCommand=x/repo', /host must not start with "-"|not a valid URL/],
    ['https://user:hunter2@github.com/org/repo', /must not contain a password/],
    ['https://github.com/org/repo?x=1', /query or fragment/],
    ['https://github.com', /no repository path/],
    ['https://github.com/org/re po', /whitespace/],
    ['https://github.com/org/repo\n', /whitespace or control/],
    ['git@host:', /no repository path/],
    [`https://h/${'a'.repeat(2100)}`, /longer than 2048/],
  ];
  for (const [url, message] of cases) {
    assert.throws(
      () => validateRepoUrl(url),
      (err: unknown) => {
        assert.ok(err instanceof GitError, url);
        assert.equal(err.reason, 'invalid');
        assert.match(err.message, message, url);
        assert.ok(!err.message.includes('hunter2'));
        return true;
      },
    );
  }
});
