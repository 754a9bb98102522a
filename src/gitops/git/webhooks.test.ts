import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { parseGitWebhook, WebhookError } from './webhooks.ts';

const SECRET = 'webhook-secret-1234';
const secrets = { github: SECRET, gitlab: SECRET, gitea: SECRET };
const hmac = (body: Buffer, secret = SECRET) => createHmac('sha256', secret).update(body).digest('hex');

function expectError(fn: () => unknown, status: number, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof WebhookError, String(err));
    assert.equal(err.status, status);
    assert.match(err.message, message);
    assert.ok(!err.message.includes(SECRET));
    return true;
  });
}

const githubPush = Buffer.from(
  JSON.stringify({
    ref: 'refs/heads/main',
    before: '0'.repeat(40),
    after: 'a'.repeat(40),
    repository: { full_name: 'org/apps', html_url: 'https://github.com/org/apps', clone_url: 'https://github.com/org/apps.git', ssh_url: 'git@github.com:org/apps.git', git_url: 'git://github.com/org/apps.git' },
  }),
);

test('GitHub: push with a valid X-Hub-Signature-256', () => {
  const parsed = parseGitWebhook({ 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${hmac(githubPush)}`, 'content-type': 'application/json' }, githubPush, secrets);
  assert.deepEqual(parsed, {
    provider: 'github',
    event: 'push',
    repoUrls: ['https://github.com/org/apps', 'https://github.com/org/apps.git', 'git@github.com:org/apps.git', 'git://github.com/org/apps.git'],
    branches: ['main'],
    tags: [],
  });
  // Header names are case-insensitive; array values take the first.
  const again = parseGitWebhook({ 'X-GitHub-Event': ['push'], 'X-Hub-Signature-256': `sha256=${hmac(githubPush).toUpperCase()}` }, githubPush, { github: SECRET });
  assert.deepEqual(again.branches, ['main']);
});

test('GitHub: tag push, ping and other events', () => {
  const tag = Buffer.from(JSON.stringify({ ref: 'refs/tags/v1.2.0', repository: { html_url: 'https://github.com/org/apps' } }));
  assert.deepEqual(parseGitWebhook({ 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${hmac(tag)}` }, tag, secrets).tags, ['v1.2.0']);
  const ping = Buffer.from(JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1, repository: { html_url: 'https://github.com/org/apps' } }));
  const parsed = parseGitWebhook({ 'x-github-event': 'ping', 'x-hub-signature-256': `sha256=${hmac(ping)}` }, ping, secrets);
  assert.equal(parsed.event, 'ping');
  assert.deepEqual(parsed.branches, []);
  assert.deepEqual(parsed.tags, []);
  const create = Buffer.from(JSON.stringify({ ref: 'feature', ref_type: 'branch', repository: { html_url: 'https://github.com/org/apps' } }));
  assert.deepEqual(parseGitWebhook({ 'x-github-event': 'create', 'x-hub-signature-256': `sha256=${hmac(create)}` }, create, secrets).branches, ['feature']);
});

test('GitHub: missing, malformed or wrong signature is 401', () => {
  expectError(() => parseGitWebhook({ 'x-github-event': 'push' }, githubPush, secrets), 401, /without an X-Hub-Signature-256/);
  expectError(() => parseGitWebhook({ 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${hmac(githubPush, 'other-secret')}` }, githubPush, secrets), 401, /does not match/);
  expectError(() => parseGitWebhook({ 'x-github-event': 'push', 'x-hub-signature-256': `sha1=${'0'.repeat(40)}` }, githubPush, secrets), 401, /does not match/);
  expectError(() => parseGitWebhook({ 'x-github-event': 'push', 'x-hub-signature-256': 'sha256=zz' }, githubPush, secrets), 401, /does not match/);
  // The body is what is signed: a tampered body fails.
  const tampered = Buffer.from(githubPush.toString().replace('main', 'prod'));
  expectError(() => parseGitWebhook({ 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${hmac(githubPush)}` }, tampered, secrets), 401, /does not match/);
});

const gitlabPush = Buffer.from(
  JSON.stringify({
    object_kind: 'push',
    ref: 'refs/heads/develop',
    project: { web_url: 'https://gitlab.example/group/apps', git_http_url: 'https://gitlab.example/group/apps.git', git_ssh_url: 'git@gitlab.example:group/apps.git' },
    repository: { homepage: 'https://gitlab.example/group/apps' },
  }),
);

test('GitLab: push and tag push with X-Gitlab-Token', () => {
  const parsed = parseGitWebhook({ 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': SECRET }, gitlabPush, secrets);
  assert.deepEqual(parsed, {
    provider: 'gitlab',
    event: 'Push Hook',
    repoUrls: ['https://gitlab.example/group/apps.git', 'git@gitlab.example:group/apps.git', 'https://gitlab.example/group/apps'],
    branches: ['develop'],
    tags: [],
  });
  const tag = Buffer.from(JSON.stringify({ object_kind: 'tag_push', ref: 'refs/tags/v2', project: { web_url: 'https://gitlab.example/group/apps' } }));
  assert.deepEqual(parseGitWebhook({ 'x-gitlab-event': 'Tag Push Hook', 'x-gitlab-token': SECRET }, tag, secrets).tags, ['v2']);
});

test('GitLab: missing or wrong token is 401', () => {
  expectError(() => parseGitWebhook({ 'x-gitlab-event': 'Push Hook' }, gitlabPush, secrets), 401, /without an X-Gitlab-Token/);
  expectError(() => parseGitWebhook({ 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': `${SECRET}x` }, gitlabPush, secrets), 401, /does not match/);
  expectError(() => parseGitWebhook({ 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': '' }, gitlabPush, secrets), 401, /does not match/);
});

const giteaPush = Buffer.from(
  JSON.stringify({
    ref: 'refs/heads/main',
    repository: { html_url: 'https://gitea.example/org/apps', clone_url: 'https://gitea.example/org/apps.git', ssh_url: 'git@gitea.example:org/apps.git' },
  }),
);

test('Gitea: push with X-Gitea-Signature (also sent with X-GitHub-Event headers)', () => {
  const headers = {
    'x-gitea-event': 'push',
    'x-gitea-signature': hmac(giteaPush),
    // Gitea adds GitHub-compatible headers; the Gitea ones decide.
    'x-github-event': 'push',
    'x-gogs-event': 'push',
  };
  const parsed = parseGitWebhook(headers, giteaPush, { gitea: SECRET });
  assert.equal(parsed.provider, 'gitea');
  assert.deepEqual(parsed.branches, ['main']);
  assert.deepEqual(parsed.repoUrls, ['https://gitea.example/org/apps', 'https://gitea.example/org/apps.git', 'git@gitea.example:org/apps.git']);
});

test('Gitea: missing or wrong signature is 401', () => {
  expectError(() => parseGitWebhook({ 'x-gitea-event': 'push' }, giteaPush, secrets), 401, /without an X-Gitea-Signature/);
  expectError(() => parseGitWebhook({ 'x-gitea-event': 'push', 'x-gitea-signature': hmac(giteaPush, 'nope') }, giteaPush, secrets), 401, /does not match/);
  expectError(() => parseGitWebhook({ 'x-gitea-event': 'push', 'x-gitea-signature': `sha256=${hmac(giteaPush)}` }, giteaPush, secrets), 401, /does not match/);
});

test('a provider without a configured secret is refused, naming the setting', () => {
  expectError(() => parseGitWebhook({ 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${hmac(githubPush)}` }, githubPush, {}), 403, /github webhooks are not enabled: set gitWebhookSecretGithub \(BERTH_GIT_WEBHOOK_SECRET_GITHUB\)/);
  expectError(() => parseGitWebhook({ 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': SECRET }, gitlabPush, { github: SECRET }), 403, /BERTH_GIT_WEBHOOK_SECRET_GITLAB/);
  expectError(() => parseGitWebhook({ 'x-gitea-event': 'push', 'x-gitea-signature': hmac(giteaPush) }, giteaPush, { gitea: '' }), 403, /BERTH_GIT_WEBHOOK_SECRET_GITEA/);
});

test('not a Git webhook, bad JSON, oversized payloads', () => {
  expectError(() => parseGitWebhook({ 'content-type': 'application/json' }, githubPush, secrets), 400, /X-GitHub-Event, X-Gitlab-Event or X-Gitea-Event/);
  const form = Buffer.from('payload=%7B%7D');
  expectError(() => parseGitWebhook({ 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${hmac(form)}` }, form, secrets), 400, /not JSON/);
  const big = Buffer.alloc(25 * 1024 * 1024 + 1);
  expectError(() => parseGitWebhook({ 'x-github-event': 'push', 'x-hub-signature-256': 'sha256=00' }, big, secrets), 413, /larger than/);
});

test('push payloads: the changed files of every listed commit, none when the payload lists none', () => {
  const body = Buffer.from(
    JSON.stringify({
      ref: 'refs/heads/main',
      repository: { html_url: 'https://github.com/org/apps' },
      commits: [
        { added: ['apps/a/new.yaml'], modified: ['apps/b/deploy.yaml'], removed: [] },
        { added: [], modified: ['apps/b/deploy.yaml'], removed: ['apps/c/old.yaml'] },
      ],
    }),
  );
  const parsed = parseGitWebhook({ 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${hmac(body)}` }, body, secrets);
  assert.deepEqual(parsed.paths?.sort(), ['apps/a/new.yaml', 'apps/b/deploy.yaml', 'apps/c/old.yaml']);
  const gitlab = Buffer.from(JSON.stringify({ ref: 'refs/heads/main', project: { git_http_url: 'https://gitlab.example/org/apps.git' }, commits: [{ added: [], modified: [], removed: [] }] }));
  assert.equal(parseGitWebhook({ 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': SECRET }, gitlab, secrets).paths, undefined);
});
