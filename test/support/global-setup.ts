/**
 * Node test runner global setup (`node --test --test-global-setup=…`, wired
 * in scripts/test.ts): one PostgreSQL cluster for the whole run. Test files
 * are child processes of the runner and inherit the environment set here:
 * BERTH_TEST_POSTGRES_URL (the cluster's `postgres` database), or outside CI
 * BERTH_TEST_POSTGRES_SKIP with the reason the PostgreSQL variants skip.
 * In CI, no PostgreSQL fails the run.
 *
 * When BERTH_TEST_POSTGRES_URL is already set (a server the developer runs),
 * no cluster is started and the run's databases are dropped at the end.
 */
import { inCI } from './peers.ts';
import { POSTGRES_SKIP_ENV, POSTGRES_URL_ENV, dropRunDatabases, newRunId, startPostgresCluster, type PostgresCluster } from './postgres.ts';

let cluster: PostgresCluster | undefined;
let external: string | undefined;

export async function globalSetup(): Promise<void> {
  newRunId();
  external = process.env[POSTGRES_URL_ENV] || undefined;
  if (external) {
    process.stderr.write(`[postgres] using ${POSTGRES_URL_ENV} from the environment\n`);
    return;
  }
  try {
    cluster = await startPostgresCluster();
    process.env[POSTGRES_URL_ENV] = cluster.url;
    delete process.env[POSTGRES_SKIP_ENV];
    process.stderr.write(`[postgres] PostgreSQL ${cluster.version} cluster at ${cluster.url} ready in ${(cluster.startupMs / 1000).toFixed(1)}s\n`);
  } catch (err) {
    if (inCI) throw err;
    const reason = (err as Error).message.split('\n')[0] ?? 'PostgreSQL is unavailable';
    process.env[POSTGRES_SKIP_ENV] = reason;
    process.stderr.write(`[postgres] ${reason}: PostgreSQL variants skip (outside CI only)\n`);
  }
}

export async function globalTeardown(): Promise<void> {
  if (cluster) {
    await cluster.stop();
    cluster = undefined;
  } else if (external) {
    await dropRunDatabases(external).catch((err: unknown) => process.stderr.write(`[postgres] could not drop this run's databases: ${String(err)}\n`));
  }
}
