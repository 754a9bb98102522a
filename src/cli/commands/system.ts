/** berth settings … and berth audit list. */
import { seg } from '../client.ts';
import { type CommandSpec, UsageError, str } from '../framework.ts';
import { type Column, time } from '../output.ts';
import { type AuditEntry, paging, showList } from './common.ts';

const settingsGet: CommandSpec = {
  words: ['settings', 'get'],
  args: '[KEY]',
  summary: 'Show the system settings (administrators)',
  positionals: [0, 1],
  examples: ['berth settings get', 'berth settings get projectCreation'],
  async run(ctx) {
    const settings = (await ctx.client().get<Record<string, unknown>>('/settings')).data;
    const key = ctx.positionals[0];
    if (key !== undefined && !(key in settings)) throw new UsageError(`unknown setting ${JSON.stringify(key)}; settings: ${Object.keys(settings).join(', ')}`, ctx.spec);
    if (ctx.out.json) return ctx.out.printJson(key === undefined ? settings : settings[key]);
    if (key !== undefined) return ctx.out.line(String(settings[key]));
    ctx.out.table(Object.entries(settings), [
      { header: 'KEY', value: ([k]) => k },
      { header: 'VALUE', value: ([, v]) => (typeof v === 'string' ? v : JSON.stringify(v)) },
    ]);
  },
};

/** `true`/`false` and numbers become JSON values; anything else stays a string. */
function settingValue(raw: string): unknown {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  return raw;
}

const settingsSet: CommandSpec = {
  words: ['settings', 'set'],
  args: 'KEY=VALUE…',
  summary: 'Change system settings (administrators)',
  details: 'Settings: projectCreation = adminOnly | everyone (who may create projects).',
  positionals: [1, Number.POSITIVE_INFINITY],
  examples: ['berth settings set projectCreation=everyone', 'berth settings set projectCreation=adminOnly'],
  async run(ctx) {
    const body: Record<string, unknown> = {};
    for (const pair of ctx.positionals) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new UsageError(`expected KEY=VALUE, not ${JSON.stringify(pair)}`, ctx.spec);
      body[pair.slice(0, eq)] = settingValue(pair.slice(eq + 1));
    }
    const res = await ctx.client().put<Record<string, unknown>>('/settings', body);
    if (ctx.out.json) return ctx.out.printJson(res.data);
    ctx.out.line(`Updated ${Object.keys(body).join(', ')}.`);
  },
};

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `30m`, `12h`, `7d` before now → epoch ms; other values go to the API as they are. */
function when(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const m = /^(\d+)([smhdw])$/.exec(raw.trim());
  return m ? String(Date.now() - Number(m[1]) * UNITS[m[2]!]!) : raw;
}

const AUDIT_COLUMNS: Column<AuditEntry>[] = [
  { header: 'TIME', value: (e) => time(e.time) },
  { header: 'ACTOR', value: (e) => (e.actor.kind === 'user' || e.actor.kind === 'robot' ? e.actor.name : `(${e.actor.kind})`) },
  { header: 'ACTION', value: (e) => e.action },
  { header: 'TYPE', value: (e) => e.resourceType },
  { header: 'RESOURCE', value: (e) => e.resource },
  { header: 'OUTCOME', value: (e) => e.outcome },
  { header: 'SOURCE IP', value: (e) => e.sourceIp },
];

const auditList: CommandSpec = {
  words: ['audit', 'list'],
  args: '[--project P] [--actor A] [--action X] [--outcome success|failure] [--from T] [--to T] [--page N]',
  summary: 'Query the audit log (everything for administrators; one project with log:list)',
  details: 'Times (--from, --to) are ISO 8601, epoch milliseconds, or a span before now: 30m, 12h, 7d, 2w. Newest first unless --sort says otherwise.',
  options: {
    project: { type: 'string', short: 'p', value: 'PROJECT', help: "only this project's records (needs log:list on it)" },
    actor: { type: 'string', value: 'NAME', help: 'user or robot name' },
    'actor-kind': { type: 'string', value: 'KIND', help: 'user | robot | anonymous | system' },
    action: { type: 'string', value: 'ACTION', help: 'e.g. create, delete, pull, push, login' },
    'resource-type': { type: 'string', value: 'TYPE', help: 'e.g. project, member, robot, user, repository' },
    resource: { type: 'string', value: 'NAME', help: 'the resource, e.g. team/app' },
    outcome: { type: 'string', value: 'OUTCOME', help: 'success | failure' },
    from: { type: 'string', value: 'TIME', help: 'records at or after TIME' },
    to: { type: 'string', value: 'TIME', help: 'records before TIME' },
    sort: { type: 'string', value: 'FIELDS', help: 'e.g. time or -time' },
    page: { type: 'string', value: 'N', help: 'page to show, from 1' },
    'page-size': { type: 'string', value: 'N', help: 'entries per page, up to 1000 (default 50)' },
  },
  positionals: [0, 0],
  examples: ['berth audit list --from 24h', 'berth audit list --project team --action delete', 'berth audit list --actor alice --outcome failure -o json'],
  async run(ctx) {
    const v = ctx.values;
    const outcome = str(v, 'outcome');
    if (outcome !== undefined && outcome !== 'success' && outcome !== 'failure') throw new UsageError('--outcome is success or failure', ctx.spec);
    const page = paging(ctx, 1000, 50);
    const query = {
      ...page,
      actor: str(v, 'actor'),
      actor_kind: str(v, 'actor-kind'),
      action: str(v, 'action'),
      resource_type: str(v, 'resource-type'),
      resource: str(v, 'resource'),
      outcome,
      from: when(str(v, 'from')),
      to: when(str(v, 'to')),
      sort: str(v, 'sort'),
    };
    const project = str(v, 'project');
    const path = project === undefined ? '/audit-logs' : `/projects/${seg(project)}/audit-logs`;
    showList(ctx, await ctx.client().get<AuditEntry[]>(path, query), AUDIT_COLUMNS, 'audit records', page);
  },
};

export const settingsCommands: CommandSpec[] = [settingsGet, settingsSet];
export const auditCommands: CommandSpec[] = [auditList];
