/**
 * Background work, all on the job platform (src/platform/jobs): the upload
 * expiry sweep, robot expiry notices (published as `robot.*` domain events)
 * and the audit purge as schedules that run once per slot across processes,
 * plus the job and event purges the platform schedules itself. Test-only job
 * kinds are registered only when `testJobKinds` is set.
 */
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Registry as PromRegistry } from 'prom-client';
import type { AccessServices } from './access/services.ts';
import { runAuditPurge, type AuditLog } from './audit/audit-log.ts';
import type { Config } from './config/config.ts';
import type { Db } from './platform/db/schema.ts';
import { DomainEvents } from './platform/events/bus.ts';
import { JobMetrics } from './platform/jobs/metrics.ts';
import { Jobs } from './platform/jobs/platform.ts';
import type { Registry } from './registry/registry.ts';
import { createScanning, type Scanning } from './supply-chain/scanning/index.ts';
import { defaultEngineParts } from './supply-chain/scanning/engine-parts.ts';

export interface Background {
  jobs: Jobs;
  events: DomainEvents;
  /** The scanning service, its jobs and subscribers (src/supply-chain/scanning). */
  scanning: Scanning;
  /**
   * Before the server listens: removes upload sessions (and orphan files) a
   * crash left behind, so no request sees them; afterwards the scheduled
   * `uploads.purge` job keeps doing it.
   */
  recover(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createBackground(config: Config, db: Db, logger: Logger, deps: { registry: Registry; access: AccessServices; audit: AuditLog; metrics: PromRegistry; version: string }): Background {
  const postgres = /^postgres(ql)?:\/\//.test(config.database);
  const jobs = new Jobs(db, {
    log: logger,
    leaseMs: config.jobsLeaseMs,
    pollIntervalMs: config.jobsPollIntervalMs,
    retentionDays: config.jobsRetentionDays,
    stopGraceMs: config.jobsStopGraceMs,
    onFinished: (kind, outcome, seconds) => metrics.observe(kind, outcome, seconds),
    ...(postgres ? { listenUrl: config.database } : {}),
  });
  const metrics = new JobMetrics(deps.metrics, jobs.queue);
  const events = new DomainEvents(db, jobs, { log: logger, retentionDays: config.jobsRetentionDays });
  deps.access.projects.events = events;
  deps.access.robots.events = events;
  deps.registry.events = events;

  const everyMaintenance = config.uploadPurgeIntervalSeconds * 1000;
  const purgeUploads = async (log: Logger) => {
    const removed = await deps.registry.uploads.purgeExpired(config.uploadTtlSeconds * 1000);
    if (removed > 0) log.info({ removed }, 'expired upload sessions removed');
  };
  jobs.register<null>({ kind: 'uploads.purge', handle: (_p, ctx) => purgeUploads(ctx.log) });
  jobs.schedule({ name: 'uploads.purge', everyMs: everyMaintenance, kind: 'uploads.purge' });
  jobs.register<null>({
    kind: 'robots.expiry-notices',
    handle: async (_p, ctx) => {
      const notices = await deps.access.robots.recordExpiryNotices();
      if (notices > 0) ctx.log.info({ notices }, 'robot expiry events published');
    },
  });
  jobs.schedule({ name: 'robots.expiry-notices', everyMs: everyMaintenance, kind: 'robots.expiry-notices' });
  jobs.register<null>({ kind: 'audit.purge', handle: async (_p, ctx) => void (await runAuditPurge(deps.audit, { retentionDays: config.auditRetentionDays, logger: ctx.log })) });
  jobs.schedule({ name: 'audit.purge', cron: '30 3 * * *', kind: 'audit.purge' });

  // Scans on push, manual and scheduled scans, re-match after vulnerability data imports.
  const scanning = createScanning(config, db, { registry: deps.registry, jobs, events, audit: deps.audit, metrics: deps.metrics, log: logger, version: deps.version, parts: defaultEngineParts(config, db, deps.metrics) });

  if (config.testJobKinds) registerTestKinds(jobs, path.join(config.dataDir, TEST_JOB_LOG));

  return {
    jobs,
    events,
    scanning,
    recover: () => purgeUploads(logger),
    async start() {
      await events.start();
      await jobs.start();
    },
    stop: () => jobs.stop(),
  };
}

/** Where test job kinds note their runs, in the data directory. */
export const TEST_JOB_LOG = 'test-jobs.log';

/**
 * `test.block` (BERTH_TEST_JOB_KINDS=1 only): blocks until aborted when the
 * payload names this process's pid, otherwise finishes at once. Each run
 * appends `started|finished <job id> <pid> <epoch ms>` to `logFile`, which
 * the multi-process tests count.
 */
function registerTestKinds(jobs: Jobs, logFile: string): void {
  const note = (what: string, jobId: string) => appendFileSync(logFile, `${what} ${jobId} ${process.pid} ${Date.now()}\n`);
  jobs.register<{ blockPid?: number }>({
    kind: 'test.block',
    maxAttempts: 5,
    handle: async (payload, ctx) => {
      note('started', ctx.jobId);
      if (payload.blockPid === process.pid) await sleep(3_600_000, undefined, { signal: ctx.signal });
      note('finished', ctx.jobId);
    },
  });
}
