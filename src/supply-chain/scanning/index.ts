/**
 * Wiring of the scanning service: the store, Berth's own engine (analyzer +
 * matcher + vulnerability data), the engine choice per project, the service
 * the REST API uses, and the jobs and subscribers (jobs.ts). Called by
 * src/background.ts, before the job platform starts.
 */
import type { Logger } from 'pino';
import type { Registry as PromRegistry } from 'prom-client';
import type { AuditRecorder } from '../../audit/types.ts';
import type { Config } from '../../config/config.ts';
import type { Db } from '../../platform/db/schema.ts';
import type { EventBus } from '../../platform/events/types.ts';
import type { JobPlatform } from '../../platform/jobs/types.ts';
import type { Registry } from '../../registry/registry.ts';
import { BerthEngine, ScanEngines, type AdvisoryLookup, type Analyze, type Match } from './engine.ts';
import { RegistryImageSource } from './image-source.ts';
import { registerScanJobs } from './jobs.ts';
import { ScanMetrics } from './metrics.ts';
import { ScanService } from './service.ts';
import { ScanStore } from './store.ts';

export { ScanService } from './service.ts';
export type { ScanEngine, ScanResult, ScanTarget, ScannerInfo } from './engine.ts';

/** The parts of Berth's own engine; the defaults are the analyzer, the matcher and the vulnerability database. */
export interface EngineParts {
  analyze: Analyze;
  match: Match;
  lookup: () => AdvisoryLookup;
}

export interface Scanning {
  service: ScanService;
  engines: ScanEngines;
  berth: BerthEngine;
  store: ScanStore;
}

export function createScanning(
  config: Config,
  db: Db,
  deps: { registry: Registry; jobs: JobPlatform; events: EventBus; audit: AuditRecorder; metrics: PromRegistry; log: Logger; version: string; parts: EngineParts },
): Scanning {
  const store = new ScanStore(db);
  const berth = new BerthEngine({ ...deps.parts, source: (repository) => new RegistryImageSource(deps.registry, repository), version: deps.version });
  const engines = new ScanEngines(berth);
  const service = new ScanService({ db, store, jobs: deps.jobs, audit: deps.audit });
  registerScanJobs(
    { jobs: deps.jobs, events: deps.events, service, engines, berth, lookup: deps.parts.lookup, metrics: new ScanMetrics(deps.metrics), log: deps.log },
    {
      concurrency: config.scanConcurrency,
      timeoutMs: config.scanTimeoutSeconds * 1000,
      maxAttempts: config.scanMaxAttempts,
      autoDelayMs: config.scanAutoDelayMs,
      rescanCron: config.scanRescanCron,
    },
  );
  return { service, engines, berth, store };
}
