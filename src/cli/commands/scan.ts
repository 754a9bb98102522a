/**
 * berth scan / vulns / sbom: request scans, list an image's vulnerabilities,
 * download its SBOM (the scanning API, docs/scanning.md).
 */
import { writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '../client.ts';
import { type CommandSpec, CliError, UsageError, bool, int, str } from '../framework.ts';
import type { Column } from '../output.ts';
import { artifactRef } from './artifacts.ts';
import { splitRepository } from './repositories.ts';

interface Report {
  scan_status: 'Pending' | 'Running' | 'Success' | 'Error';
  severity: string;
  error?: string;
  start_time: string | null;
  end_time: string | null;
  summary: { total: number; fixable: number; summary: Record<string, number> };
  scanner: { name: string; version: string } | null;
  platforms: { digest: string; os: string | null; architecture: string | null; distro?: string; packages: number }[];
  skipped: { path: string; reason: string }[];
}

interface Vulnerability {
  id: string;
  package: string;
  version: string;
  fix_version?: string;
  severity: string;
  status: string;
  cvss?: { score: number };
  description?: string;
}

const SEVERITY_ORDER = ['Critical', 'High', 'Medium', 'Low', 'Negligible', 'Unknown'];

function summaryLine(r: Report): string {
  const counts = SEVERITY_ORDER.filter((s) => (r.summary.summary[s] ?? 0) > 0).map((s) => `${s} ${r.summary.summary[s]}`);
  return `${r.summary.total} vulnerabilities (${r.summary.fixable} fixable)${counts.length > 0 ? `: ${counts.join(', ')}` : ''}`;
}

/** Polls the report until the scan settles; waits through Pending/Running (retries included). */
async function waitForReport(client: Client, path: string, timeoutMs: number): Promise<Report> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const r = await client.get<Report>(`${path}/scan`).catch((err: unknown) => {
      // NOT_SCANNED until the job has marked the report.
      if ((err as { status?: number }).status === 404) return undefined;
      throw err;
    });
    if (r && (r.data.scan_status === 'Success' || r.data.scan_status === 'Error')) return r.data;
    if (Date.now() > end) throw new CliError(`the scan did not finish within ${Math.round(timeoutMs / 1000)} s (it goes on in the background)`);
    await sleep(1000);
  }
}

const scan: CommandSpec = {
  words: ['scan'],
  args: 'PROJECT/REPOSITORY:TAG | PROJECT/REPOSITORY@DIGEST | --repository PROJECT/REPOSITORY | --all [--wait [--timeout SECONDS]]',
  summary: 'Scan an image (or every image of a repository, or of every project) for vulnerabilities',
  details:
    'Scans run as background jobs; --wait waits for an image\'s scan and prints its summary (exit 1 when the scan failed). --all needs a system administrator. Needs scan:create (developers and up).',
  options: {
    repository: { type: 'string', value: 'PROJECT/REPOSITORY', help: 'scan every image and index of the repository' },
    all: { type: 'boolean', help: 'scan every image of every project (administrators)' },
    wait: { type: 'boolean', help: "wait for an image's scan to finish and print its summary" },
    timeout: { type: 'string', value: 'SECONDS', help: 'how long --wait waits (default 1800)' },
  },
  positionals: [0, 1],
  examples: ['berth scan team/app:v1 --wait', 'berth scan --repository team/app', 'berth scan --all'],
  async run(ctx) {
    const repository = str(ctx.values, 'repository');
    const all = bool(ctx.values, 'all') === true;
    const image = ctx.positionals[0];
    if ([image !== undefined, repository !== undefined, all].filter(Boolean).length !== 1) throw new UsageError('give one of IMAGE, --repository or --all', ctx.spec);
    const client = ctx.client();
    if (image === undefined) {
      if (bool(ctx.values, 'wait')) throw new UsageError('--wait is for one image', ctx.spec);
      const res = all ? await client.post<{ queued: number }>('/scan-all', undefined) : await client.post<{ queued: number }>(`${splitRepository(ctx, repository!).path}/scan`, undefined);
      if (ctx.out.json) return ctx.out.printJson(res.data);
      ctx.out.line(`${res.data.queued} scan${res.data.queued === 1 ? '' : 's'} queued`);
      return;
    }
    const ref = artifactRef(ctx, image);
    const res = await client.post<{ job_id: string }>(`${ref.path}/scan`, undefined);
    if (!bool(ctx.values, 'wait')) {
      if (ctx.out.json) return ctx.out.printJson(res.data);
      ctx.out.line(`scan queued (job ${res.data.job_id})`);
      return;
    }
    const report = await waitForReport(client, ref.path, (int(ctx, 'timeout', 1, 86_400) ?? 1800) * 1000);
    if (ctx.out.json) ctx.out.printJson(report);
    else if (report.scan_status === 'Error') ctx.out.line(`scan failed: ${report.error ?? 'unknown reason'}`);
    else ctx.out.line(`${image}: ${summaryLine(report)}`);
    return report.scan_status === 'Error' ? 1 : 0;
  },
};

const VULN_COLUMNS: Column<Vulnerability>[] = [
  { header: 'ID', value: (v) => v.id },
  { header: 'SEVERITY', value: (v) => v.severity },
  { header: 'CVSS', value: (v) => (v.cvss ? v.cvss.score.toFixed(1) : '-') },
  { header: 'PACKAGE', value: (v) => v.package },
  { header: 'INSTALLED', value: (v) => v.version },
  { header: 'FIXED', value: (v) => v.fix_version ?? '-' },
  { header: 'STATUS', value: (v) => v.status },
];

const vulns: CommandSpec = {
  words: ['vulns'],
  args: 'PROJECT/REPOSITORY:TAG | PROJECT/REPOSITORY@DIGEST [--severity LIST] [--fixable] [--package NAME] [--sort FIELD]',
  summary: 'List the vulnerabilities found in an image (most severe first)',
  details: 'LIST is comma-separated: Critical,High,Medium,Low,Negligible,Unknown. Sort: -severity (default), -cvss, package, id. Every page is fetched; -o json prints the API rows.',
  options: {
    severity: { type: 'string', value: 'LIST', help: 'only these severities' },
    fixable: { type: 'boolean', help: 'only vulnerabilities with a fixed version' },
    package: { type: 'string', value: 'NAME', help: 'package name contains' },
    sort: { type: 'string', value: 'FIELD', help: '-severity, -cvss, package or id' },
  },
  positionals: [1, 1],
  examples: ['berth vulns team/app:v1', 'berth vulns team/app:v1 --severity Critical,High --fixable', 'berth vulns team/app@sha256:4f1c… -o json'],
  async run(ctx) {
    const ref = artifactRef(ctx, ctx.positionals[0]!);
    const client = ctx.client();
    const report = (await client.get<Report>(`${ref.path}/scan`)).data;
    const query = {
      severity: str(ctx.values, 'severity'),
      fixable: bool(ctx.values, 'fixable') ? 'true' : undefined,
      package: str(ctx.values, 'package'),
      sort: str(ctx.values, 'sort'),
      page_size: 100,
    };
    const rows: Vulnerability[] = [];
    for (let page = 1; ; page++) {
      const res = await client.get<Vulnerability[]>(`${ref.path}/vulnerabilities`, { ...query, page });
      rows.push(...res.data);
      if (res.data.length < 100 || rows.length >= (res.total ?? 0)) break;
    }
    if (ctx.out.json) return ctx.out.printJson(rows);
    if (report.scan_status !== 'Success') ctx.out.line(`scan ${report.scan_status}${report.error ? `: ${report.error}` : ''}; results of the previous scan:`);
    ctx.out.table(rows, VULN_COLUMNS);
    ctx.out.line(`${summaryLine(report)}${report.scanner ? ` · ${report.scanner.name} ${report.scanner.version}` : ''}${report.end_time ? ` · ${report.end_time}` : ''}`);
  },
};

const sbom: CommandSpec = {
  words: ['sbom'],
  args: 'PROJECT/REPOSITORY:TAG | PROJECT/REPOSITORY@DIGEST [--format cyclonedx|spdx] [-f FILE] [--attach]',
  summary: "Download an image's SBOM (CycloneDX 1.6 or SPDX 2.3 JSON), or attach it to the image as a referrer",
  details: 'The SBOM is written from the stored inventory of the last scan (scan first). Without -f it goes to stdout. --attach pushes it as an OCI referrer of the image instead (needs scan:create and push).',
  options: {
    format: { type: 'string', value: 'FORMAT', help: 'cyclonedx (default) or spdx' },
    file: { type: 'string', short: 'f', value: 'FILE', help: 'write the document to FILE' },
    attach: { type: 'boolean', help: 'regenerate and attach it to the image (oras discover lists it)' },
  },
  positionals: [1, 1],
  examples: ['berth sbom team/app:v1 -f app.cdx.json', 'berth sbom team/app:v1 --format spdx > app.spdx.json', 'berth sbom team/app:v1 --attach'],
  async run(ctx) {
    const format = str(ctx.values, 'format') ?? 'cyclonedx';
    if (format !== 'cyclonedx' && format !== 'spdx') throw new UsageError('--format is cyclonedx or spdx', ctx.spec);
    const ref = artifactRef(ctx, ctx.positionals[0]!);
    const client = ctx.client();
    if (bool(ctx.values, 'attach')) {
      const res = await client.request<{ digest: string }>('POST', `${ref.path}/sbom`, { query: { format } });
      if (ctx.out.json) return ctx.out.printJson(res.data);
      ctx.out.line(`attached ${format} SBOM ${res.data.digest} to ${ctx.positionals[0]}`);
      return;
    }
    const res = await client.get<object>(`${ref.path}/sbom`, { format });
    const text = `${JSON.stringify(res.data, null, 2)}\n`;
    const file = str(ctx.values, 'file');
    if (file === undefined) {
      process.stdout.write(text);
      return;
    }
    await writeFile(file, text, { mode: 0o644 });
    process.stderr.write(`wrote ${file} (${Buffer.byteLength(text)} bytes)\n`);
  },
};

export const scanCommands: CommandSpec[] = [scan, vulns, sbom];
