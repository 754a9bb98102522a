/**
 * berth vulndb import|status|remove: vulnerability data for scanning
 * (system administrators; docs/vulnerability-data.md). `import` uploads a
 * file (streamed) or asks the server to download a URL; `--wait` follows the
 * re-match job the import enqueued and prints how long it took.
 */
import { open, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { ImportResult, VulnSource } from '../../supply-chain/vulndb/store.ts';
import type { JobRecord } from '../../platform/jobs/queue.ts';
import { seg, type Client } from '../client.ts';
import { type CommandSpec, type Ctx, CliError, UsageError, bool, str } from '../framework.ts';
import { type Column, time } from '../output.ts';

const FORMATS = ['osv', 'alpine-secdb', 'debian-tracker', 'debian-dsa', 'debian-dla'];
const SOURCE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const IMPORT_TIMEOUT_MS = 60 * 60 * 1000;

const COLUMNS: Column<VulnSource>[] = [
  { header: 'SOURCE', value: (s) => s.name },
  { header: 'KIND', value: (s) => s.kind },
  { header: 'VERSION', value: (s) => s.version ?? '-' },
  { header: 'RECORDS', value: (s) => String(s.records) },
  { header: 'ECOSYSTEMS', value: (s) => (s.ecosystems.length > 4 ? `${s.ecosystems.slice(0, 4).join(', ')} +${s.ecosystems.length - 4}` : s.ecosystems.join(', ') || '-') },
  { header: 'IMPORTED', value: (s) => time(s.imported_at) },
  { header: 'BY', value: (s) => s.imported_by },
];

function options(ctx: Ctx): { format?: string; source?: string } {
  const format = str(ctx.values, 'format');
  const source = str(ctx.values, 'source');
  if (format !== undefined && !FORMATS.includes(format)) throw new UsageError(`--format is one of ${FORMATS.join(', ')}`, ctx.spec);
  if (source !== undefined && !SOURCE.test(source)) throw new UsageError('--source: letters, digits and ._:- (up to 128, starting with a letter or digit)', ctx.spec);
  return { ...(format ? { format } : {}), ...(source ? { source } : {}) };
}

async function upload(client: Client, file: string, query: { format?: string; source?: string }): Promise<ImportResult> {
  let size: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new CliError(`${file} is not a file`);
    size = st.size;
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const fh = await open(file, 'r');
  try {
    const body = Readable.toWeb(fh.createReadStream({ highWaterMark: 1024 * 1024 })) as ReadableStream<Uint8Array>;
    const res = await client.request<ImportResult>('POST', '/vulndb/imports', {
      query,
      raw: body,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
      timeoutMs: IMPORT_TIMEOUT_MS,
    });
    return res.data;
  } finally {
    await fh.close();
  }
}

/** Polls the job until it ends; resolves to it, or undefined after `timeoutMs`. */
async function waitForJob(client: Client, id: string, timeoutMs: number): Promise<JobRecord | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = (await client.get<JobRecord>(`/jobs/${seg(id)}`)).data;
    if (job.state === 'succeeded' || job.state === 'failed' || job.state === 'cancelled') return job;
    if (Date.now() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, 500));
  }
}

const vulndbImport: CommandSpec = {
  words: ['vulndb', 'import'],
  args: 'FILE|URL [--format FORMAT] [--source NAME] [--wait]',
  summary: 'Import vulnerability data from a file or a URL (system administrators)',
  details:
    'Formats: an OSV all.zip of any ecosystem (osv), Alpine secdb JSON (alpine-secdb), the Debian\n' +
    'security tracker JSON (debian-tracker), the DSA and DLA lists (debian-dsa, debian-dla); sniffed\n' +
    'from the content when --format is absent. A file is uploaded; a URL is downloaded by the server.\n' +
    'The import replaces the source as a whole (one transaction) and re-matches stored scans after it.',
  options: {
    format: { type: 'string', value: 'FORMAT', help: FORMATS.join(' | ') },
    source: { type: 'string', value: 'NAME', help: 'source to import into (default: derived from the file, e.g. osv-Go, debian-dsa)' },
    wait: { type: 'boolean', help: 'wait for the re-match of stored scans and print its time' },
    timeout: { type: 'string', value: 'SECONDS', help: 'how long --wait waits (default 600)' },
  },
  positionals: [1, 1],
  examples: ['berth vulndb import all.zip', 'berth vulndb import https://osv-vulnerabilities.storage.googleapis.com/Go/all.zip --wait', 'berth vulndb import DSA-list --format debian-dsa'],
  async run(ctx) {
    const target = ctx.positionals[0]!;
    const query = options(ctx);
    const timeout = str(ctx.values, 'timeout');
    if (timeout !== undefined && !/^\d{1,6}$/.test(timeout)) throw new UsageError('--timeout is a number of seconds', ctx.spec);
    const client = ctx.client();
    const result = /^https?:\/\//i.test(target)
      ? (await client.request<ImportResult>('POST', '/vulndb/imports', { body: { url: target, ...query }, timeoutMs: IMPORT_TIMEOUT_MS })).data
      : await upload(client, target, query);
    let job: JobRecord | undefined;
    if (bool(ctx.values, 'wait') && result.rematch_job_id) {
      job = await waitForJob(client, result.rematch_job_id, Number(timeout ?? 600) * 1000);
      if (!job) throw new CliError(`imported, but the re-match job ${result.rematch_job_id} has not finished after ${timeout ?? 600} s (see berth jobs get ${result.rematch_job_id})`);
    }
    if (ctx.out.json) return ctx.out.printJson(job ? { ...result, rematch_job: job } : result);
    ctx.out.line(`Imported ${result.source} (${result.kind}${result.version ? ` ${result.version}` : ''}): ${result.records} records, ${result.added} added, ${result.updated} updated, ${result.removed} removed in ${(result.duration_ms / 1000).toFixed(1)} s.`);
    if (!result.rematch_job_id) ctx.out.line('Nothing changed: no re-match needed.');
    else if (!job) ctx.out.line(`Re-match of stored scans queued: job ${result.rematch_job_id}.`);
    else {
      const seconds = job.startedAt && job.finishedAt ? ((job.finishedAt - job.startedAt) / 1000).toFixed(1) : '?';
      if (job.state !== 'succeeded') throw new CliError(`the re-match job ${job.id} ${job.state}: ${job.lastError ?? 'no error recorded'}`);
      ctx.out.line(`Re-matched stored scans in ${seconds} s (job ${job.id}).`);
    }
  },
};

const vulndbStatus: CommandSpec = {
  words: ['vulndb', 'status'],
  args: '',
  summary: 'List the imported vulnerability data sources with their versions and record counts',
  positionals: [0, 0],
  examples: ['berth vulndb status', 'berth vulndb status -o json'],
  async run(ctx) {
    const sources = (await ctx.client().get<VulnSource[]>('/vulndb/sources')).data;
    if (ctx.out.json) return ctx.out.printJson(sources);
    if (sources.length === 0) return ctx.out.note('no vulnerability data imported: see berth vulndb import');
    ctx.out.table(sources, COLUMNS);
    ctx.out.note(`${sources.reduce((n, s) => n + s.records, 0)} records in ${sources.length} sources`);
  },
};

const vulndbRemove: CommandSpec = {
  words: ['vulndb', 'remove'],
  args: 'SOURCE',
  summary: 'Remove a vulnerability data source and its advisories',
  positionals: [1, 1],
  examples: ['berth vulndb remove osv-PyPI'],
  async run(ctx) {
    const name = ctx.positionals[0]!;
    if (!SOURCE.test(name)) throw new UsageError(`${JSON.stringify(name.slice(0, 80))} is not a source name (see berth vulndb status)`, ctx.spec);
    const res = await ctx.client().request<{ rematch_job_id: string | null }>('DELETE', `/vulndb/sources/${seg(name)}`);
    if (ctx.out.json) return ctx.out.printJson(res.data);
    ctx.out.line(`Removed ${name}.${res.data.rematch_job_id ? ` Re-match of stored scans queued: job ${res.data.rematch_job_id}.` : ''}`);
  },
};

export const vulndbCommands: CommandSpec[] = [vulndbImport, vulndbStatus, vulndbRemove];
