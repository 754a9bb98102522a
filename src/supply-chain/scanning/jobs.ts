/**
 * The scanning service's jobs and event subscribers:
 *
 * - `scan.artifact` {repository, digest}: one scan, bounded concurrency per
 *   process and a timeout per attempt (a huge image holds one slot, never
 *   the queue); a failed attempt is retried with backoff, the last failure
 *   marks the report Error with its reason and publishes
 *   `artifact.scan_failed`.
 * - `scan-on-push` (durable subscriber of `artifact.pushed`): queues a scan
 *   when the project's `auto_scan` is on, for images and indexes that are
 *   not referrers, a little later, so the children of an index pushed just
 *   before it are recognised as such and not scanned twice.
 * - `scan-cleanup` (of `artifact.deleted`): drops the results of content no
 *   repository holds any more.
 * - `vulnerabilities.rematch` {sources}: re-matches every stored inventory
 *   (queued by a vulnerability data import).
 * - `scan.all`: the scheduled rescan (config `scanRescanCron`).
 */
import type { Logger } from 'pino';
import type { DomainEvent, EventBus } from '../../platform/events/types.ts';
import type { JobPlatform } from '../../platform/jobs/types.ts';
import { PermanentJobError } from '../../platform/jobs/runner.ts';
import { listed } from '../../registry/artifact-rows.ts';
import type { AdvisoryLookup, BerthEngine, ScanEngines } from './engine.ts';
import type { ScanMetrics } from './metrics.ts';
import { rematchAll } from './rematch.ts';
import { REMATCH_KIND, SCAN_ALL_KIND, SCAN_KIND, scannable, type ScanJobPayload, type ScanService } from './service.ts';

export interface ScanJobOptions {
  concurrency: number;
  timeoutMs: number;
  maxAttempts: number;
  /** Delay of auto-scans after the push. */
  autoDelayMs: number;
  rescanCron: string | undefined;
}

export interface ScanJobDeps {
  jobs: JobPlatform;
  events: EventBus;
  service: ScanService;
  engines: ScanEngines;
  berth: BerthEngine;
  lookup: () => AdvisoryLookup;
  metrics: ScanMetrics;
  log: Logger;
}

export function registerScanJobs(deps: ScanJobDeps, options: ScanJobOptions): void {
  const { jobs, events, service } = deps;
  const store = service.store;
  const db = store.db;

  jobs.register<ScanJobPayload>({
    kind: SCAN_KIND,
    concurrency: options.concurrency,
    timeoutMs: options.timeoutMs,
    maxAttempts: options.maxAttempts,
    backoffBaseMs: 5_000,
    backoffMaxMs: 5 * 60_000,
    handle: async (payload, ctx) => {
      const { repository, digest } = payload;
      const manifest = await db.selectFrom('manifests as m').select(['m.media_type', 'm.subject_digest', 'm.artifact_type']).where('m.repository', '=', repository).where('m.digest', '=', digest).executeTakeFirst();
      if (!manifest) {
        // Deleted since it was queued: nothing to scan, nothing to keep.
        await store.dropPending(digest, ctx.jobId);
        deps.metrics.scanned('skipped', '-', 0);
        return;
      }
      if (payload.auto) {
        const shown = await db.selectFrom('manifests as m').select('m.digest').where('m.repository', '=', repository).where('m.digest', '=', digest).where((eb) => listed(eb)).executeTakeFirst();
        if (!shown) {
          ctx.log.debug({ repository, digest }, 'auto-scan skipped: the manifest is a child of an index, which is scanned instead');
          await store.dropPending(digest, ctx.jobId);
          deps.metrics.scanned('skipped', '-', 0);
          return;
        }
      }
      const project = repository.split('/')[0]!;
      const engine = await deps.engines.engineFor(project);
      const target = { project, repository, digest, mediaType: manifest.media_type };
      await store.markRunning(digest, ctx.jobId);
      const started = Date.now();
      try {
        if (!scannable({ mediaType: manifest.media_type, subject: manifest.subject_digest, artifactType: manifest.artifact_type })) {
          throw new PermanentJobError(`${repository}@${digest} is not an image or an index`);
        }
        const result = await engine.scan(target, ctx.signal);
        ctx.signal.throwIfAborted();
        const findings = result.findings ?? [];
        let packages = 0;
        for (const inv of result.inventories ?? []) packages += inv.packages.length;
        await db.transaction().execute(async (trx) => {
          const reportId = await store.markPending(trx, { ...target, engine: engine.name, jobId: ctx.jobId });
          const summary = await store.saveResult(trx, reportId, { engine: engine.name, scanner: result.scanner, inventories: result.inventories, findings, startedAt: started });
          await events.publish(trx, {
            type: 'artifact.scanned',
            actor: 'system',
            data: { project, repository, digest, reportId, severity: summary.severity, total: summary.total, fixable: summary.fixable, summary: summary.counts, scanner: result.scanner.name, durationMs: Date.now() - started },
          });
        });
        deps.metrics.scanned('success', engine.name, Date.now() - started, packages);
        ctx.log.info({ repository, digest, engine: engine.name, packages, findings: findings.length, ms: Date.now() - started }, 'scanned');
      } catch (err) {
        const reason = ctx.signal.aborted ? `scan aborted: ${String((ctx.signal.reason as Error | undefined)?.message ?? ctx.signal.reason)}` : (err as Error).message || String(err);
        const final = err instanceof PermanentJobError || ctx.attempt >= options.maxAttempts;
        if (final) {
          await db.transaction().execute(async (trx) => {
            await store.markError(trx, digest, reason);
            const report = await trx.selectFrom('scan_reports').select('id').where('digest', '=', digest).executeTakeFirst();
            await events.publish(trx, { type: 'artifact.scan_failed', actor: 'system', data: { project, repository, digest, reportId: report?.id ?? '', error: reason.slice(0, 1000) } });
          });
        } else {
          // Shown while the retry waits: Pending again, with the reason of the failed attempt.
          await db.updateTable('scan_reports').set({ status: 'Pending', error: reason.slice(0, 4000) }).where('digest', '=', digest).where('job_id', '=', ctx.jobId).execute();
        }
        deps.metrics.scanned(final ? 'failed' : 'retry', engine.name, Date.now() - started);
        throw ctx.signal.aborted && !(err instanceof PermanentJobError) ? new Error(reason, { cause: err }) : err;
      }
    },
  });

  events.subscribe(
    'scan-on-push',
    ['artifact.pushed'],
    async (event: DomainEvent<'artifact.pushed'>) => {
      const { project, repository, digest } = event.data;
      const p = await db.selectFrom('projects').select('auto_scan').where('name', '=', project).executeTakeFirst();
      if (!p || Number(p.auto_scan) !== 1) return;
      const m = await db.selectFrom('manifests').select(['media_type', 'subject_digest', 'artifact_type']).where('repository', '=', repository).where('digest', '=', digest).executeTakeFirst();
      if (!m) return;
      const a = { project, repository, digest, mediaType: m.media_type, subject: m.subject_digest, artifactType: m.artifact_type };
      // SBOMs, signatures and other referrers (artifacts with a subject) are not scanned.
      if (!scannable(a)) return;
      await db.transaction().execute((trx) => service.enqueue(trx, a, 'auto', Date.now() + options.autoDelayMs));
    },
    { concurrency: 2 },
  );

  // Harbor's project setting auto_sbom_generation: a CycloneDX SBOM is attached after each scan
  // that stored an inventory (an external scanner's report has none), as its own retried job.
  events.subscribe('sbom-on-scan', ['artifact.scanned'], async (event: DomainEvent<'artifact.scanned'>) => {
    const { project, repository, digest } = event.data;
    const p = await db.selectFrom('projects').select('auto_sbom_generation').where('name', '=', project).executeTakeFirst();
    if (!p || Number(p.auto_sbom_generation) !== 1 || !service.sbom) return;
    const report = await db.selectFrom('scan_reports').select('rematchable').where('digest', '=', digest).executeTakeFirst();
    if (!report || Number(report.rematchable) !== 1) return;
    const exists = await db.selectFrom('manifests').select('digest').where('repository', '=', repository).where('digest', '=', digest).executeTakeFirst();
    if (!exists) return;
    // The service takes the repository's name within its project, as the API does.
    const attached = await service.attachSbom(project, repository.slice(project.length + 1), digest, 'cyclonedx', 'system');
    deps.log.info({ repository, digest, sbom: attached.digest }, 'SBOM attached after the scan (auto_sbom_generation)');
  });

  events.subscribe('scan-cleanup', ['artifact.deleted'], async (event: DomainEvent<'artifact.deleted'>) => {
    await store.dropIfUnreferenced(event.data.digest);
  });

  jobs.register<{ sources?: string[] }>({
    kind: REMATCH_KIND,
    concurrency: 1,
    timeoutMs: 60 * 60_000,
    maxAttempts: 3,
    handle: async (payload, ctx) => {
      const result = await rematchAll({ store, engine: deps.berth, lookup: deps.lookup(), log: ctx.log.child({ sources: payload?.sources ?? [] }), signal: ctx.signal });
      deps.metrics.rematched(result.reports, result.durationMs);
    },
  });

  jobs.register<null>({
    kind: SCAN_ALL_KIND,
    timeoutMs: 30 * 60_000,
    handle: async (_p, ctx) => {
      const { queued } = await service.scanAll();
      ctx.log.info({ queued }, 'scheduled rescan queued');
    },
  });
  if (options.rescanCron) jobs.schedule({ name: SCAN_ALL_KIND, cron: options.rescanCron, kind: SCAN_ALL_KIND });
}
