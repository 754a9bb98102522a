/** berth project … and berth member … */
import { ROLES, isRole } from '../../access/permissions.ts';
import { seg } from '../client.ts';
import { type CommandSpec, type Ctx, UsageError, bool, str } from '../framework.ts';
import { type Column, time } from '../output.ts';
import { LIST_OPTIONS, type Member, type Project, listQuery, showList } from './common.ts';

/** A project as /api/v1 answers it: Harbor's counts, on lists and details alike (`repositoryCount` is on details only). */
type ApiProject = Project & { repository_count?: number; member_count?: number };

const count = (n: number | undefined) => (n === undefined ? '-' : String(n));

const PROJECT_COLUMNS: Column<ApiProject>[] = [
  { header: 'NAME', value: (p) => p.name },
  { header: 'VISIBILITY', value: (p) => (p.public ? 'public' : 'private') },
  { header: 'REPOSITORIES', value: (p) => count(p.repository_count ?? p.repositoryCount) },
  { header: 'MEMBERS', value: (p) => count(p.member_count) },
  { header: 'CREATED BY', value: (p) => p.createdBy },
  { header: 'CREATED', value: (p) => time(p.createdAt) },
];

const VISIBILITY_OPTIONS = {
  public: { type: 'boolean', help: 'anyone may pull (anonymous callers too, unless anonymousPull is off)' },
  private: { type: 'boolean', help: 'only members, robots and administrators may pull' },
} as const;

function visibility(ctx: Ctx): boolean | undefined {
  const pub = bool(ctx.values, 'public');
  const priv = bool(ctx.values, 'private');
  if (pub && priv) throw new UsageError('give --public or --private, not both', ctx.spec);
  return pub ? true : priv ? false : undefined;
}

function showProject(ctx: Ctx, p: ApiProject): void {
  if (ctx.out.json) return ctx.out.printJson(p);
  ctx.out.details([
    ['name', p.name],
    ['visibility', p.public ? 'public' : 'private'],
    ['scan on push', onOffWord(p.autoScan)],
    ['SBOM after scan', onOffWord(p.autoSbom)],
    ['repositories', count(p.repository_count ?? p.repositoryCount)],
    ['members', count(p.member_count)],
    ['created by', p.createdBy],
    ['created', time(p.createdAt)],
    ['updated', time(p.updatedAt)],
  ]);
}

const projectCreate: CommandSpec = {
  words: ['project', 'create'],
  args: 'NAME [--public | --private]',
  summary: 'Create a project (private unless --public)',
  details: 'Administrators may always create projects; other users when the setting projectCreation is everyone. The creator becomes projectAdmin.',
  options: VISIBILITY_OPTIONS,
  positionals: [1, 1],
  examples: ['berth project create team', 'berth project create library --public'],
  async run(ctx) {
    const res = await ctx.client().post<Project>('/projects', { name: ctx.positionals[0]!, public: visibility(ctx) ?? false });
    if (ctx.out.json) return ctx.out.printJson(res.data);
    ctx.out.line(`Created ${res.data.public ? 'public' : 'private'} project ${res.data.name}.`);
  },
};

const projectList: CommandSpec = {
  words: ['project', 'list'],
  args: '[-q FILTER] [--sort FIELDS] [--page N] [--page-size N]',
  summary: 'List the projects you can see',
  details: 'Filter keys: name, public. Sort fields: name, created.',
  options: LIST_OPTIONS,
  positionals: [0, 0],
  examples: ['berth project list', 'berth project list -q name=~team --sort -created', 'berth project list -q public=true -o json'],
  async run(ctx) {
    const query = listQuery(ctx);
    showList(ctx, await ctx.client().get<ApiProject[]>('/projects', query), PROJECT_COLUMNS, 'projects', query);
  },
};

const projectGet: CommandSpec = {
  words: ['project', 'get'],
  args: 'NAME',
  summary: 'Show a project',
  positionals: [1, 1],
  examples: ['berth project get team'],
  async run(ctx) {
    showProject(ctx, (await ctx.client().get<ApiProject>(`/projects/${seg(ctx.positionals[0]!)}`)).data);
  },
};

const SETTING_OPTIONS = {
  'auto-scan': { type: 'string', value: 'on|off', help: 'scan every pushed image (Harbor metadata auto_scan)' },
  'auto-sbom': { type: 'string', value: 'on|off', help: 'attach a CycloneDX SBOM to each image after its scan (Harbor metadata auto_sbom_generation)' },
} as const;

function onOff(ctx: Ctx, name: string): boolean | undefined {
  const v = str(ctx.values, name);
  if (v === undefined) return undefined;
  if (v !== 'on' && v !== 'off') throw new UsageError(`--${name} takes on or off, not ${JSON.stringify(v)}`, ctx.spec);
  return v === 'on';
}

const onOffWord = (b: boolean) => (b ? 'on' : 'off');

const projectUpdate: CommandSpec = {
  words: ['project', 'update'],
  args: 'NAME [--public | --private] [--auto-scan on|off] [--auto-sbom on|off]',
  summary: "Change a project's visibility and scanning settings",
  options: { ...VISIBILITY_OPTIONS, ...SETTING_OPTIONS },
  positionals: [1, 1],
  examples: ['berth project update team --public', 'berth project update team --auto-scan on --auto-sbom on'],
  async run(ctx) {
    const pub = visibility(ctx);
    const autoScan = onOff(ctx, 'auto-scan');
    const autoSbom = onOff(ctx, 'auto-sbom');
    if (pub === undefined && autoScan === undefined && autoSbom === undefined) throw new UsageError('nothing to change: give --public, --private, --auto-scan or --auto-sbom', ctx.spec);
    const metadata = { ...(autoScan === undefined ? {} : { auto_scan: String(autoScan) }), ...(autoSbom === undefined ? {} : { auto_sbom_generation: String(autoSbom) }) };
    const res = await ctx.client().put<Project>(`/projects/${seg(ctx.positionals[0]!)}`, { ...(pub === undefined ? {} : { public: pub }), ...(Object.keys(metadata).length > 0 ? { metadata } : {}) });
    if (ctx.out.json) return ctx.out.printJson(res.data);
    ctx.out.line(`Project ${res.data.name}: ${res.data.public ? 'public' : 'private'}, scan on push ${onOffWord(res.data.autoScan)}, SBOM after scan ${onOffWord(res.data.autoSbom)}.`);
  },
};

const projectDelete: CommandSpec = {
  words: ['project', 'delete'],
  args: 'NAME [--force]',
  summary: 'Delete a project',
  details: 'Refused while the project holds repositories or robots, unless --force, which deletes them too.',
  options: { force: { type: 'boolean', help: 'also delete its repositories and robots' } },
  positionals: [1, 1],
  examples: ['berth project delete old-team', 'berth project delete old-team --force'],
  async run(ctx) {
    const name = ctx.positionals[0]!;
    await ctx.client().delete(`/projects/${seg(name)}`, bool(ctx.values, 'force') ? { force: 'true' } : undefined);
    if (!ctx.out.json) ctx.out.line(`Deleted project ${name}.`);
  },
};

const MEMBER_COLUMNS: Column<Member>[] = [
  { header: 'KIND', value: (m) => m.kind },
  { header: 'NAME', value: (m) => m.name },
  { header: 'ROLE', value: (m) => m.role },
  { header: 'ADDED', value: (m) => time(m.createdAt) },
];

const ROLE_OPTION = { type: 'string', value: 'ROLE', help: ROLES.join(' | ') } as const;
const GROUP_OPTION = { type: 'boolean', help: 'NAME is an OIDC group, not a user' } as const;

function role(ctx: Ctx): string {
  const r = str(ctx.values, 'role');
  if (r === undefined) throw new UsageError('give the role with --role', ctx.spec);
  if (!isRole(r)) throw new UsageError(`unknown role ${JSON.stringify(r)}: use one of ${ROLES.join(', ')}`, ctx.spec);
  return r;
}

const kind = (ctx: Ctx) => (bool(ctx.values, 'group') ? 'group' : 'user');

const memberAdd: CommandSpec = {
  words: ['member', 'add'],
  args: 'PROJECT NAME --role ROLE [--group]',
  summary: 'Add a user or an OIDC group to a project',
  options: { role: ROLE_OPTION, group: GROUP_OPTION },
  positionals: [2, 2],
  examples: ['berth member add team alice --role developer', 'berth member add team platform-admins --group --role maintainer'],
  async run(ctx) {
    const [project, name] = ctx.positionals as [string, string];
    const res = await ctx.client().post<Member>(`/projects/${seg(project)}/members`, { kind: kind(ctx), name, role: role(ctx) });
    if (ctx.out.json) return ctx.out.printJson(res.data);
    ctx.out.line(`Added ${res.data.kind} ${res.data.name} to ${project} as ${res.data.role}.`);
  },
};

const memberList: CommandSpec = {
  words: ['member', 'list'],
  args: 'PROJECT',
  summary: "List a project's members",
  positionals: [1, 1],
  examples: ['berth member list team', 'berth member list team -o json'],
  async run(ctx) {
    showList(ctx, await ctx.client().get<Member[]>(`/projects/${seg(ctx.positionals[0]!)}/members`), MEMBER_COLUMNS, 'members');
  },
};

const memberUpdate: CommandSpec = {
  words: ['member', 'update'],
  args: 'PROJECT NAME --role ROLE [--group]',
  summary: "Change a member's role",
  options: { role: ROLE_OPTION, group: GROUP_OPTION },
  positionals: [2, 2],
  examples: ['berth member update team alice --role maintainer'],
  async run(ctx) {
    const [project, name] = ctx.positionals as [string, string];
    const r = role(ctx);
    await ctx.client().put(`/projects/${seg(project)}/members/${kind(ctx)}/${seg(name)}`, { role: r });
    if (!ctx.out.json) ctx.out.line(`${kind(ctx) === 'group' ? 'Group' : 'User'} ${name} is now ${r} of ${project}.`);
  },
};

const memberRemove: CommandSpec = {
  words: ['member', 'remove'],
  args: 'PROJECT NAME [--group]',
  summary: 'Remove a member from a project',
  options: { group: GROUP_OPTION },
  positionals: [2, 2],
  examples: ['berth member remove team alice', 'berth member remove team platform-admins --group'],
  async run(ctx) {
    const [project, name] = ctx.positionals as [string, string];
    await ctx.client().delete(`/projects/${seg(project)}/members/${kind(ctx)}/${seg(name)}`);
    if (!ctx.out.json) ctx.out.line(`Removed ${kind(ctx)} ${name} from ${project}.`);
  },
};

export const projectCommands: CommandSpec[] = [projectCreate, projectList, projectGet, projectUpdate, projectDelete];
export const memberCommands: CommandSpec[] = [memberAdd, memberList, memberUpdate, memberRemove];
