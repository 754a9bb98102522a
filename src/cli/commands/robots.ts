/** berth robot …: project and system robot accounts. */
import { ALL_PERMISSIONS, isPermission } from '../../access/permissions.ts';
import { seg } from '../client.ts';
import { type CommandSpec, type Ctx, UsageError, bool, str } from '../framework.ts';
import { type Column, orDash, time, yesNo } from '../output.ts';
import { PAGE_OPTIONS, type Robot, type RobotPermissionSet, commaList, paging, showList } from './common.ts';

const PREFIX = 'robot$';

/** `ci` with --project team → `robot$team+ci`; full names pass as they are. */
function robotName(ctx: Ctx): string {
  const name = ctx.positionals[0]!;
  if (name.startsWith(PREFIX)) return name;
  const project = str(ctx.values, 'project');
  return project !== undefined ? `${PREFIX}${project}+${name}` : `${PREFIX}${name}`;
}

const NAME_OPTIONS = {
  project: { type: 'string', short: 'p', value: 'PROJECT', help: "the robot's project, when NAME is its short name" },
} as const;

const NAME_DETAILS = 'NAME is the full name (robot$team+ci, quoted for the shell) or the short name with --project for a project robot (ci --project team) or alone for a system robot.';

function status(r: Robot): string {
  if (r.disabled) return 'disabled';
  if (r.expiresAt !== null && r.expiresAt <= Date.now()) return 'expired';
  return 'active';
}

function permissionsText(sets: RobotPermissionSet[], sep: string): string {
  return sets.map((s) => `${s.namespace}: ${s.access.map((a) => `${a.resource}:${a.action}`).join(',')}`).join(sep);
}

const ROBOT_COLUMNS: Column<Robot>[] = [
  { header: 'NAME', value: (r) => r.name },
  { header: 'LEVEL', value: (r) => r.level },
  { header: 'STATUS', value: (r) => status(r) },
  { header: 'EXPIRES', value: (r) => time(r.expiresAt, 'never') },
  { header: 'PERMISSIONS', value: (r) => permissionsText(r.permissions, '; ') },
  { header: 'DESCRIPTION', value: (r) => r.description },
];

function showRobot(ctx: Ctx, r: Robot): void {
  if (ctx.out.json) return ctx.out.printJson(r);
  ctx.out.details([
    ['name', r.name],
    ['level', r.level],
    ['project', orDash(r.project)],
    ['status', status(r)],
    ['disabled', yesNo(r.disabled)],
    ['expires', time(r.expiresAt, 'never')],
    ['description', orDash(r.description)],
    ['permissions', permissionsText(r.permissions, '\n')],
    ['created by', r.createdBy],
    ['created', time(r.createdAt)],
    ['updated', time(r.updatedAt)],
  ]);
}

/** The one-time secret: on stdout with its name, and a warning on stderr. */
function showSecret(ctx: Ctx, name: string, secret: string, expiresAt: number | null | undefined): void {
  ctx.out.details([
    ['name', name],
    ...(expiresAt !== undefined ? [['expires', time(expiresAt, 'never')] as [string, string]] : []),
    ['secret', secret],
  ]);
  ctx.out.warn('Save the secret now: Berth shows it only once (berth robot refresh makes a new one).');
}

function parseAccess(ctx: Ctx): { resource: string; action: string }[] {
  const raw = str(ctx.values, 'access');
  if (raw === undefined) throw new UsageError('give the permissions with --access, e.g. --access repository:pull,repository:push', ctx.spec);
  const items = commaList(raw);
  if (items.length === 0) throw new UsageError('--access lists no permission', ctx.spec);
  return items.map((p) => {
    if (!isPermission(p)) throw new UsageError(`unknown permission ${JSON.stringify(p)}; known: ${ALL_PERMISSIONS.join(', ')}`, ctx.spec);
    const [resource, action] = p.split(':') as [string, string];
    return { resource, action };
  });
}

function parseDuration(ctx: Ctx): number | undefined {
  const raw = str(ctx.values, 'duration');
  if (raw === undefined) return undefined;
  if (raw === 'never' || raw === '-1') return -1;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > 36_500) throw new UsageError('--duration is a number of days from 1 to 36500, or -1 (never expires)', ctx.spec);
  return n;
}

const robotCreate: CommandSpec = {
  words: ['robot', 'create'],
  args: "NAME (--project PROJECT | --system --namespace '*'|P1,P2) --access PERMS [--duration DAYS] [--description TEXT]",
  summary: 'Create a robot account and print its secret once',
  details: [
    'A project robot holds PERMS on its project; a system robot (administrators) holds them',
    "on each listed project, or on every project with --namespace '*'. PERMS are",
    'resource:action pairs, comma-separated (see docs/permissions.md). Nobody grants more',
    'than they hold. Robots expire after 30 days unless --duration says otherwise.',
  ].join('\n'),
  options: {
    project: { type: 'string', short: 'p', value: 'PROJECT', help: 'create a project robot of PROJECT' },
    system: { type: 'boolean', help: 'create a system robot (administrators)' },
    namespace: { type: 'string', value: "'*'|P1,P2", help: "projects a system robot acts on; '*' for all" },
    access: { type: 'string', value: 'PERMS', help: 'permissions, e.g. repository:pull,repository:push' },
    duration: { type: 'string', value: 'DAYS', help: 'days until expiry, 1–36500; -1 never (default 30)' },
    description: { type: 'string', value: 'TEXT', help: 'what the robot is for' },
  },
  positionals: [1, 1],
  examples: [
    'berth robot create ci --project team --access repository:pull,repository:push --description "CI pipeline"',
    'berth robot create puller --project team --access repository:pull --duration -1',
    "berth robot create mirror --system --namespace '*' --access repository:pull",
    'berth robot create deploy --system --namespace team,web --access repository:pull,artifact:read --duration 90',
  ],
  async run(ctx) {
    const name = ctx.positionals[0]!;
    if (name.startsWith(PREFIX)) throw new UsageError(`give the short name: Berth adds the ${PREFIX} prefix (and the project)`, ctx.spec);
    const project = str(ctx.values, 'project');
    const system = bool(ctx.values, 'system') === true;
    const namespace = str(ctx.values, 'namespace');
    if (system === (project !== undefined)) throw new UsageError('give either --project PROJECT or --system', ctx.spec);
    if (!system && namespace !== undefined) throw new UsageError('--namespace is for system robots: a project robot acts on its --project', ctx.spec);
    const access = parseAccess(ctx);
    let permissions: RobotPermissionSet[];
    if (system) {
      if (namespace === undefined) throw new UsageError("give the projects of a system robot with --namespace ('*' for all)", ctx.spec);
      const namespaces = commaList(namespace);
      if (namespaces.length === 0) throw new UsageError('--namespace lists no project', ctx.spec);
      if (namespaces.includes('*') && namespaces.length > 1) throw new UsageError("--namespace '*' already covers every project", ctx.spec);
      permissions = namespaces.map((ns) => ({ namespace: ns, access }));
    } else {
      permissions = [{ namespace: project!, access }];
    }
    const duration = parseDuration(ctx);
    const description = str(ctx.values, 'description');
    const body = {
      name,
      level: system ? 'system' : 'project',
      permissions,
      ...(duration !== undefined ? { duration } : {}),
      ...(description !== undefined ? { description } : {}),
    };
    const res = await ctx.client().post<Robot & { secret: string }>('/robots', body);
    if (ctx.out.json) return ctx.out.printJson(res.data);
    showSecret(ctx, res.data.name, res.data.secret, res.data.expiresAt);
  },
};

const robotList: CommandSpec = {
  words: ['robot', 'list'],
  args: '[--project PROJECT | --system] [--page N] [--page-size N]',
  summary: "List a project's robots, or every robot (administrators)",
  options: {
    project: { type: 'string', short: 'p', value: 'PROJECT', help: 'robots of this project' },
    system: { type: 'boolean', help: 'system robots only (administrators)' },
    ...PAGE_OPTIONS,
  },
  positionals: [0, 0],
  examples: ['berth robot list --project team', 'berth robot list --system', 'berth robot list -o json'],
  async run(ctx) {
    const project = str(ctx.values, 'project');
    const system = bool(ctx.values, 'system') === true;
    if (project !== undefined && system) throw new UsageError('give --project or --system, not both', ctx.spec);
    const page = paging(ctx);
    const query = { ...page, ...(project !== undefined ? { project, level: 'project' } : {}), ...(system ? { level: 'system' } : {}) };
    showList(ctx, await ctx.client().get<Robot[]>('/robots', query), ROBOT_COLUMNS, 'robots', page);
  },
};

const robotGet: CommandSpec = {
  words: ['robot', 'get'],
  args: 'NAME [--project PROJECT]',
  summary: 'Show a robot account',
  details: NAME_DETAILS,
  options: NAME_OPTIONS,
  positionals: [1, 1],
  examples: ['berth robot get ci --project team', "berth robot get 'robot$mirror'"],
  async run(ctx) {
    showRobot(ctx, (await ctx.client().get<Robot>(`/robots/${seg(robotName(ctx))}`)).data);
  },
};

const robotRefresh: CommandSpec = {
  words: ['robot', 'refresh'],
  args: 'NAME [--project PROJECT]',
  summary: 'Replace the secret of a robot and print the new one once',
  details: `The old secret stops working at once. ${NAME_DETAILS}`,
  options: NAME_OPTIONS,
  positionals: [1, 1],
  examples: ['berth robot refresh ci --project team'],
  async run(ctx) {
    const name = robotName(ctx);
    const res = await ctx.client().request<{ secret: string }>('PATCH', `/robots/${seg(name)}/secret`);
    if (ctx.out.json) return ctx.out.printJson(res.data);
    showSecret(ctx, name, res.data.secret, undefined);
  },
};

function toggle(disabled: boolean): CommandSpec {
  const verb = disabled ? 'disable' : 'enable';
  return {
    words: ['robot', verb],
    args: 'NAME [--project PROJECT]',
    summary: disabled ? 'Disable a robot: its secret and tokens stop working' : 'Enable a disabled robot again',
    details: NAME_DETAILS,
    options: NAME_OPTIONS,
    positionals: [1, 1],
    examples: [`berth robot ${verb} ci --project team`],
    async run(ctx) {
      const res = await ctx.client().put<Robot>(`/robots/${seg(robotName(ctx))}`, { disabled });
      if (ctx.out.json) return ctx.out.printJson(res.data);
      ctx.out.line(`${disabled ? 'Disabled' : 'Enabled'} robot ${res.data.name}.`);
    },
  };
}

const robotDelete: CommandSpec = {
  words: ['robot', 'delete'],
  args: 'NAME [--project PROJECT]',
  summary: 'Delete a robot account',
  details: NAME_DETAILS,
  options: NAME_OPTIONS,
  positionals: [1, 1],
  examples: ['berth robot delete ci --project team'],
  async run(ctx) {
    const name = robotName(ctx);
    await ctx.client().delete(`/robots/${seg(name)}`);
    if (!ctx.out.json) ctx.out.line(`Deleted robot ${name}.`);
  },
};

export const robotCommands: CommandSpec[] = [robotCreate, robotList, robotGet, robotRefresh, toggle(true), toggle(false), robotDelete];
