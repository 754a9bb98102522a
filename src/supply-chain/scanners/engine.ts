/**
 * A ScanEngine that delegates to an external Pluggable Scanner API adapter:
 * it asks the adapter to scan with a short-lived pull token for the one
 * repository (so the adapter can read nothing else), polls the report
 * honouring Refresh-After (bounded by a total time), and maps the report to
 * Findings. Only vulnerability reports are asked for; the adapter's SBOM
 * capability is not used (Berth writes its SBOMs from its own inventories).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DomainError } from '../../core/errors.ts';
import type { Finding, Inventory } from '../types.ts';
import { pollReport, submitScan, type AdapterEndpoint, type AdapterLimits } from './adapter-client.ts';
import { fromHarborReport } from './report.ts';
import { ScannerMime, mimeBase } from './spec.ts';

/**
 * The scanning service's engine contract (issue 10 brief, owned by the
 * `scanning` unit); repeated here structurally until that unit lands, so this
 * engine plugs in without either importing the other's internals.
 */
export interface ScanTarget {
  project: string;
  repository: string;
  digest: string;
  mediaType: string;
}
export interface ScanEngine {
  name: string;
  scan(target: ScanTarget, signal: AbortSignal): Promise<{ scanner: { name: string; vendor: string; version: string }; inventories?: Inventory[]; findings?: Finding[] }>;
}

export interface ExternalEngineOptions extends AdapterLimits {
  /** The longest a scan may wait for its report, Refresh-After included. */
  maxScanSeconds: number;
  /** Longest single wait between polls, whatever Refresh-After says. */
  maxRefreshSeconds: number;
}

export interface ExternalEngineDeps {
  /** Berth's registry as the adapter reaches it (externalUrl). */
  registryUrl: string;
  /** `Bearer <token>` allowing pull of that repository only, for a few minutes. */
  pullAuthorization(repository: string): Promise<string>;
  /** The image manifests of an index (attestations left out), for adapters that consume only image manifests. */
  indexChildren?(repository: string, digest: string): Promise<{ digest: string; mediaType: string }[]>;
}

const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);

export class ExternalScanEngine implements ScanEngine {
  readonly name: string;
  readonly #endpoint: AdapterEndpoint;
  readonly #scanner: { name: string; vendor: string; version: string };
  readonly #options: ExternalEngineOptions;
  readonly #deps: ExternalEngineDeps;

  readonly #consumes: ReadonlySet<string>;

  constructor(
    registration: { name: string; scanner: { name: string; vendor: string; version: string }; consumes?: readonly string[] },
    endpoint: AdapterEndpoint,
    options: ExternalEngineOptions,
    deps: ExternalEngineDeps,
  ) {
    this.name = registration.name;
    this.#scanner = registration.scanner;
    this.#consumes = new Set((registration.consumes ?? []).map(mimeBase));
    this.#endpoint = endpoint;
    this.#options = options;
    this.#deps = deps;
  }

  /**
   * An index goes to the adapter whole when it says it consumes indexes;
   * otherwise (the spec's adapters take image manifests) each image of the
   * index is scanned, as Harbor does, and the findings joined.
   */
  async scan(target: ScanTarget, signal: AbortSignal): Promise<{ scanner: { name: string; vendor: string; version: string }; findings: Finding[] }> {
    const deadline = Date.now() + this.#options.maxScanSeconds * 1000;
    if (INDEX_TYPES.has(mimeBase(target.mediaType)) && !this.#consumes.has(mimeBase(target.mediaType)) && this.#deps.indexChildren) {
      const children = await this.#deps.indexChildren(target.repository, target.digest);
      const findings: Finding[] = [];
      let scanner = this.#scanner;
      for (const child of children) {
        const r = await this.#scanOne({ ...target, digest: child.digest, mediaType: child.mediaType }, deadline, signal);
        scanner = r.scanner;
        findings.push(...r.findings);
      }
      return { scanner, findings };
    }
    return this.#scanOne(target, deadline, signal);
  }

  async #scanOne(target: ScanTarget, deadline: number, signal: AbortSignal): Promise<{ scanner: { name: string; vendor: string; version: string }; findings: Finding[] }> {
    const id = await submitScan(
      this.#endpoint,
      {
        registry: { url: this.#deps.registryUrl, authorization: await this.#deps.pullAuthorization(target.repository) },
        artifact: { repository: target.repository, digest: target.digest, mime_type: target.mediaType },
        enabled_capabilities: [{ type: 'vulnerability', produces_mime_types: [ScannerMime.vulnReport] }],
      },
      this.#options,
      signal,
    );
    for (;;) {
      const poll = await pollReport(this.#endpoint, id, this.#options, signal);
      if (poll.done) {
        const report = poll.report;
        return { scanner: report.scanner ?? this.#scanner, findings: fromHarborReport(report, `scanner:${this.name}`) };
      }
      const waitMs = Math.min(poll.refreshAfterSeconds, this.#options.maxRefreshSeconds) * 1000;
      if (Date.now() + waitMs > deadline) {
        throw new DomainError('unavailable', `scanner ${this.name} gave no report for ${target.repository}@${target.digest} within ${this.#options.maxScanSeconds} s`);
      }
      await sleep(waitMs, undefined, { signal });
    }
  }
}
