/**
 * Cluster and Git repository credentials sealed at rest, on SQLite and
 * PostgreSQL: the raw rows hold no plaintext, the engine's paths (a
 * Kubernetes client on a real control plane, git against a real Git server
 * with Basic auth) still reach them with the opened values, rows written
 * before migration 0012 are read as plaintext until the start-up step seals
 * them (once, also with two processes at once) and still work after, and a
 * sealed value copied to another row does not open.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { testDatabases } from '../../../test/support/databases.ts';
import { startGitServer, type GitServer } from '../../../test/support/git-server.ts';
import { skipUnlessKubePeers, startKubeCluster, type KubeCluster } from '../../../test/support/kube-cluster.ts';
import type { AuditContext } from '../../audit/audited.ts';
import { openDatabase } from '../../platform/db/database.ts';
import type { Db } from '../../platform/db/schema.ts';
import { SealError, Sealer } from '../../platform/secrets/sealer.ts';
import { GitRepositoryCache } from '../git/repo-cache.ts';
import { createKubeClient } from '../kube/client.ts';
import type { ClusterConnection } from '../types.ts';
import { ClusterStore } from './clusters.ts';
import { sealStoredCredentials } from './credentials.ts';
import { RepositoryStore, normalizeRepoUrl } from './repositories.ts';

const ACTOR: AuditContext = { actor: { kind: 'user', name: 'admin' }, sourceIp: '127.0.0.1' };
const CLIENT_KEY = `-----BEGIN PRIVATE KEY-----\nclient-key-${randomBytes(8).toString('hex')}\n-----END PRIVATE KEY-----\n`;
const CLIENT_CERT = '-----BEGIN CERTIFICATE-----\nMIIBcert\n-----END CERTIFICATE-----\n';
const SSH_KEY = `-----BEGIN OPENSSH PRIVATE KEY-----\nssh-key-${randomBytes(8).toString('hex')}\n-----END OPENSSH PRIVATE KEY-----\n`;
const GIT_USER = 'bot';
const GIT_PASSWORD = `git-pw-${randomBytes(12).toString('hex')}`;
const kubeSkip = skipUnlessKubePeers();

/** The values of every column of the row, to search for plaintext. */
const rowText = (row: object | undefined) => JSON.stringify(row ?? {});

let cluster: KubeCluster;
let git: GitServer;
let gitDir: string;
let head: string;

before(async () => {
  [cluster, git] = await Promise.all([startKubeCluster(), startGitServer({ username: GIT_USER, password: GIT_PASSWORD })]);
  head = await git.createRepo('team/private', { 'app.yaml': 'kind: ConfigMap\n' });
  gitDir = await mkdtemp(path.join(os.tmpdir(), 'berth-cred-git-'));
});
after(async () => {
  await git?.stop();
  await cluster?.stop();
  if (gitDir) await rm(gitDir, { recursive: true, force: true });
});

/** What the engine does with a cluster connection: a client, one request. */
async function reachCluster(conn: ClusterConnection | undefined): Promise<string> {
  assert.ok(conn, 'connection');
  const client = createKubeClient(conn);
  try {
    return await client.version();
  } finally {
    await client.close();
  }
}

for (const kind of await testDatabases()) {
  describe(`sealed delivery credentials on ${kind.name}`, { skip: kind.skip || kubeSkip }, () => {
    let dir: string;
    let db: Db;
    let sealer: Sealer;
    let clusters: ClusterStore;
    let repos: RepositoryStore;
    let gitCache: GitRepositoryCache;

    before(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'berth-cred-test-'));
      db = await openDatabase(await kind.createUrl(dir));
      sealer = await Sealer.open(db);
      clusters = new ClusterStore(db, sealer);
      repos = new RepositoryStore(db, sealer);
      gitCache = new GitRepositoryCache({ dir: path.join(gitDir, kind.name) });
    });
    after(async () => {
      await db?.destroy();
      await rm(dir, { recursive: true, force: true });
    });

    test('stored credentials are sealed in the row and reach the cluster and the Git server', async () => {
      await clusters.add({ name: 'prod', server: cluster.server, bearerToken: cluster.token, caData: cluster.caData }, ACTOR);
      await clusters.add({ name: 'certs', server: 'https://certs.example.com:6443', clientCertData: CLIENT_CERT, clientKeyData: CLIENT_KEY, insecureSkipTlsVerify: true }, ACTOR);
      await repos.add({ url: git.url('team/private'), username: GIT_USER, password: GIT_PASSWORD }, ACTOR);
      await repos.add({ url: 'git@git.example.com:team/infra.git', sshPrivateKey: SSH_KEY }, ACTOR);

      const prod = await db.selectFrom('clusters').selectAll().where('name', '=', 'prod').executeTakeFirstOrThrow();
      assert.ok(!rowText(prod).includes(cluster.token), 'no plaintext token in the row');
      assert.match(prod.bearer_token ?? '', /^v1\./);
      assert.equal(Number(prod.credentials_sealed), 1);
      const certs = await db.selectFrom('clusters').selectAll().where('name', '=', 'certs').executeTakeFirstOrThrow();
      assert.ok(!rowText(certs).includes('client-key-') && !rowText(certs).includes('PRIVATE KEY'), 'no plaintext client key in the row');
      assert.match(certs.client_key_data ?? '', /^v1\./);
      for (const row of await db.selectFrom('git_repositories').selectAll().execute()) {
        assert.ok(!rowText(row).includes(GIT_PASSWORD) && !rowText(row).includes('PRIVATE KEY'), rowText(row));
        assert.equal(Number(row.credentials_sealed), 1);
      }

      assert.equal((await clusters.connection('certs'))?.clientKeyData, CLIENT_KEY);
      assert.equal((await repos.access('git@git.example.com:team/infra.git')).sshPrivateKey, SSH_KEY);
      assert.match(await reachCluster(await clusters.connection('prod')), /^v1\./);
      const access = await repos.access(git.url('team/private'));
      assert.equal(access.password, GIT_PASSWORD);
      assert.equal(await gitCache.resolve(access, 'main', { maxAgeMs: 0 }), head);
      // The lists still tell which credentials are set.
      assert.deepEqual((await clusters.list()).map((c) => [c.name, c.auth]), [['certs', 'client-certificate'], ['prod', 'token']]);
      assert.deepEqual((await repos.list()).map((r) => [r.hasPassword, r.hasSshPrivateKey]), [[true, false], [false, true]]);
    });

    test('a sealed value copied to another row or column does not open', async () => {
      const prod = await db.selectFrom('clusters').select('bearer_token').where('name', '=', 'prod').executeTakeFirstOrThrow();
      await db.updateTable('clusters').set({ bearer_token: prod.bearer_token, client_cert_data: null, client_key_data: null }).where('name', '=', 'certs').execute();
      await assert.rejects(clusters.connection('certs'), SealError);
      const pw = await db.selectFrom('git_repositories').select('password').where('normalized_url', '=', (await repos.get(git.url('team/private')))!.normalizedUrl).executeTakeFirstOrThrow();
      const copied = await db.updateTable('git_repositories').set({ ssh_private_key: pw.password }).where('normalized_url', '=', normalizeRepoUrl('git@git.example.com:team/infra.git')).executeTakeFirst();
      assert.equal(Number(copied.numUpdatedRows), 1);
      await assert.rejects(repos.access('git@git.example.com:team/infra.git'), SealError);
      await clusters.remove('certs', ACTOR);
      await repos.remove('git@git.example.com:team/infra.git', ACTOR);
    });

    test('plaintext rows from before migration 0012 are read as they are, sealed at start (once, with two processes at once) and still work', async () => {
      await clusters.remove('prod', ACTOR);
      await repos.remove(git.url('team/private'), ACTOR);
      // Rows as the previous version wrote them: plaintext, credentials_sealed left at the migration's 0.
      await db
        .insertInto('clusters')
        .values({ name: 'legacy', server: cluster.server, bearer_token: cluster.token, ca_data: cluster.caData, client_cert_data: null, client_key_data: null, created_by: 'admin', created_at: Date.now() })
        .execute();
      const url = git.url('team/private');
      await db
        .insertInto('git_repositories')
        .values({ normalized_url: normalizeRepoUrl(url), url, username: GIT_USER, password: GIT_PASSWORD, ssh_private_key: null, known_hosts: null, created_by: 'admin', created_at: Date.now() })
        .execute();
      assert.match(await reachCluster(await clusters.connection('legacy')), /^v1\./, 'read as plaintext before the start-up step');
      assert.equal((await repos.access(url)).password, GIT_PASSWORD);

      // Two processes starting at once, each with its own sealer on the same key: every row sealed exactly once.
      const results = await Promise.all([sealStoredCredentials(db, await Sealer.open(db)), sealStoredCredentials(db, await Sealer.open(db))]);
      assert.equal(results.reduce((n, r) => n + r.clusters, 0), 1);
      assert.equal(results.reduce((n, r) => n + r.repositories, 0), 1);
      assert.deepEqual(await sealStoredCredentials(db, sealer), { clusters: 0, repositories: 0 }, 'idempotent');

      const row = await db.selectFrom('clusters').selectAll().where('name', '=', 'legacy').executeTakeFirstOrThrow();
      assert.ok(!rowText(row).includes(cluster.token));
      assert.equal(Number(row.credentials_sealed), 1);
      const repoRow = await db.selectFrom('git_repositories').selectAll().executeTakeFirstOrThrow();
      assert.ok(!rowText(repoRow).includes(GIT_PASSWORD));
      assert.equal(Number(repoRow.credentials_sealed), 1);
      assert.match(await reachCluster(await clusters.connection('legacy')), /^v1\./);
      const access = await repos.access(url);
      assert.equal(access.password, GIT_PASSWORD);
      assert.equal(await gitCache.resolve(access, 'main', { maxAgeMs: 0 }), head);
    });

    test('a different key does not open the sealed values', async () => {
      const other = new ClusterStore(db, await Sealer.open(db, 'another-key-of-16-characters'));
      await assert.rejects(other.connection('legacy'), /sealed with key db1/);
    });
  });
}
