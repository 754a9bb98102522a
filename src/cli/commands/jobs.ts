/** berth jobs list|get|retry|cancel: the durable job queue (system administrators). */
import type { JobRecord } from '../../platform/jobs/queue.ts';
import { seg } from '../client.ts';
import { type CommandSpec, type Ctx, UsageError, str } from '../framework.ts';
import { type Column, time } from '../output.ts';
import { PAGE_OPTIONS, paging, showList } from './common.ts';

const STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const COLUMNS: Column<JobRecord>[] = [
  { header: 'ID', value: (j) => j.id },
  { header: 'KIND', value: (j) => j.kind },
  { header: 'STATE', value: (j) => j.state },
  { header: 'ATTEMPTS', value: (j) => `${j.attempts}/${j.maxAttempts}` },
  { header: 'CREATED', value: (j) => time(j.createdAt) },
  { header: 'FINISHED', value: (j) => time(j.finishedAt) },
  { header: 'LAST ERROR', value: (j) => (j.lastError ?? '-').split('\n', 1)[0]!.slice(0, 80) },
];

function jobId(ctx: Ctx): string {
  const id = ctx.positionals[0]!;
  if (!UUID.test(id)) throw new UsageError(`${JSON.stringify(id.slice(0, 80))} is not a job id (a UUID, see berth jobs list)`, ctx.spec);
  return id.toLowerCase();
}

function showJob(ctx: Ctx, j: JobRecord): void {
  if (ctx.out.json) return ctx.out.printJson(j);
  ctx.out.details([
    ['id', j.id],
    ['kind', j.kind],
    ['state', j.state],
    ['priority', String(j.priority)],
    ['attempts', `${j.attempts} of ${j.maxAttempts}`],
    ['dedupe key', j.dedupeKey ?? '-'],
    ['run at', time(j.runAt)],
    ['lease', j.leaseOwner ? `${j.leaseOwner} until ${time(j.leaseExpiresAt)}` : '-'],
    ['created', time(j.createdAt)],
    ['started', time(j.startedAt)],
    ['finished', time(j.finishedAt)],
    ['last error', j.lastError ?? '-'],
    ['payload', JSON.stringify(j.payload)],
  ]);
}

const jobsList: CommandSpec = {
  words: ['jobs', 'list'],
  args: '[--kind KIND] [--state STATE] [--page N]',
  summary: 'List jobs, newest first (system administrators)',
  options: {
    kind: { type: 'string', value: 'KIND', help: 'e.g. uploads.purge, audit.purge, event:<subscriber>' },
    state: { type: 'string', value: 'STATE', help: STATES.join(' | ') },
    ...PAGE_OPTIONS,
  },
  positionals: [0, 0],
  examples: ['berth jobs list', 'berth jobs list --state failed', 'berth jobs list --kind audit.purge -o json'],
  async run(ctx) {
    const state = str(ctx.values, 'state');
    if (state !== undefined && !STATES.includes(state)) throw new UsageError(`--state is one of ${STATES.join(', ')}`, ctx.spec);
    const page = paging(ctx, 100, 50);
    showList(ctx, await ctx.client().get<JobRecord[]>('/jobs', { ...page, kind: str(ctx.values, 'kind'), state }), COLUMNS, 'jobs', page);
  },
};

const jobsGet: CommandSpec = {
  words: ['jobs', 'get'],
  args: 'ID',
  summary: 'Show one job with its attempts, lease and last error',
  positionals: [1, 1],
  examples: ['berth jobs get 01938c1e-7d2a-7000-8000-0123456789ab'],
  async run(ctx) {
    showJob(ctx, (await ctx.client().get<JobRecord>(`/jobs/${seg(jobId(ctx))}`)).data);
  },
};

const change = (action: 'retry' | 'cancel', summary: string, done: string): CommandSpec => ({
  words: ['jobs', action],
  args: 'ID',
  summary,
  positionals: [1, 1],
  examples: [`berth jobs ${action} 01938c1e-7d2a-7000-8000-0123456789ab`],
  async run(ctx) {
    const job = (await ctx.client().post<JobRecord>(`/jobs/${seg(jobId(ctx))}/${action}`, {})).data;
    if (ctx.out.json) return ctx.out.printJson(job);
    ctx.out.line(`${done} job ${job.id} (${job.kind}).`);
  },
});

export const jobCommands: CommandSpec[] = [
  jobsList,
  jobsGet,
  change('retry', 'Queue a failed or cancelled job again with fresh attempts', 'Queued'),
  change('cancel', "Cancel a queued or running job (a running job's handler is aborted)", 'Cancelled'),
];
