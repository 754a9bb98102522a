/** berth app … (GitOps applications) and berth project delivery … (a project's delivery policy). */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { ManifestDoc } from '../../gitops/apps/loader.ts';
import type { StoredPolicy } from '../../gitops/apps/policy.ts';
import type { ApplicationRecord, ApplicationStatus, HistoryEntry, OperationState, ResourceDiff, ResourceStatus } from '../../gitops/types.ts';
import { ApiError, seg } from '../client.ts';
import { type CommandSpec, type Ctx, CliError, UsageError, bool, str } from '../framework.ts';
import { type Column, orDash, time, yesNo } from '../output.ts';
import { CREATE_OPTIONS, specFromFlags } from './app-flags.ts';
import { appTree } from './app-tree.ts';
import { PAGE_OPTIONS, paging, showList } from './common.ts';

/** A row of GET /applications. */
interface AppListItem {
  name: string;
  project: string;
  repoURL: string;
  path: string;
  targetRevision: string;
  destination: { server?: string; name?: string; namespace: string };
  automated: boolean;
  sync: string;
  health: string;
  revision?: string;
  operation?: string;
}

type AppView = ApplicationRecord & { status?: ApplicationStatus };

const APP_COLUMNS: Column<AppListItem>[] = [
  { header: 'NAME', value: (a) => a.name },
  { header: 'PROJECT', value: (a) => a.project },
  { header: 'CLUSTER', value: (a) => a.destination.name ?? a.destination.server ?? '' },
  { header: 'NAMESPACE', value: (a) => orDash(a.destination.namespace) },
  { header: 'SYNC', value: (a) => a.sync },
  { header: 'HEALTH', value: (a) => a.health },
  { header: 'POLICY', value: (a) => (a.automated ? 'Auto' : 'Manual') },
  { header: 'REPO', value: (a) => a.repoURL },
  { header: 'PATH', value: (a) => a.path },
  { header: 'TARGET', value: (a) => a.targetRevision },
];

const key = (k: { group: string; kind: string; namespace: string; name: string }) => `${k.group ? `${k.group}/` : ''}${k.kind}${k.namespace ? ` ${k.namespace}/` : ' '}${k.name}`;

const RESOURCE_COLUMNS: Column<ResourceStatus>[] = [
  { header: 'GROUP', value: (r) => orDash(r.key.group) },
  { header: 'KIND', value: (r) => r.key.kind },
  { header: 'NAMESPACE', value: (r) => orDash(r.key.namespace) },
  { header: 'NAME', value: (r) => r.key.name },
  { header: 'STATUS', value: (r) => `${r.status}${r.requiresPruning ? ' (requires pruning)' : ''}` },
  { header: 'HEALTH', value: (r) => r.health?.status ?? '' },
];

async function readText(file: string): Promise<string> {
  try {
    return file === '-' ? await readStdin() : await readFile(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
  return Buffer.concat(chunks).toString('utf8');
}

/** Documents of a file or directory, validated client-side (errors name file and field). */
async function manifests(target: string): Promise<ManifestDoc[]> {
  const { ManifestError, loadManifests, parseManifests } = await import('../../gitops/apps/loader.ts');
  try {
    return target === '-' ? parseManifests(await readStdin(), '(stdin)') : await loadManifests(target);
  } catch (err) {
    if (err instanceof ManifestError) throw new CliError(err.message);
    throw err;
  }
}

function showApp(ctx: Ctx, a: AppView): void {
  if (ctx.out.json) return ctx.out.printJson(a);
  const s = a.spec;
  const op = a.status?.operationState;
  ctx.out.details([
    ['name', a.name],
    ['project', a.project],
    ['repository', s.source.repoURL],
    ['path', s.source.path],
    ['target', s.source.targetRevision],
    ['destination', `${s.destination.name ?? s.destination.server ?? ''} namespace ${orDash(s.destination.namespace)}`],
    ['sync policy', s.syncPolicy.automated ? `automated (prune ${yesNo(s.syncPolicy.automated.prune)}, self-heal ${yesNo(s.syncPolicy.automated.selfHeal)})` : 'manual'],
    ...(s.syncPolicy.syncOptions.length > 0 ? [['sync options', s.syncPolicy.syncOptions.join(', ')] as [string, string]] : []),
    ['sync status', `${a.status?.sync.status ?? 'Unknown'}${a.status?.sync.revision ? ` to ${a.status.sync.revision}` : ''}`],
    ['health', `${a.status?.health.status ?? 'Unknown'}${a.status?.health.message ? `: ${a.status.health.message}` : ''}`],
    ...(op ? [['operation', `${op.phase} (${op.trigger} by ${op.actor}, ${time(op.startedAt)}): ${op.message}`] as [string, string]] : []),
    ...(a.status?.conditions.map((c) => [`condition`, `${c.type}: ${c.message}`] as [string, string]) ?? []),
    ['created', `${time(a.createdAt)} by ${a.createdBy}`],
    ['updated', time(a.updatedAt)],
  ]);
  const resources = a.status?.resources ?? [];
  if (resources.length > 0) {
    ctx.out.line();
    ctx.out.table(resources, RESOURCE_COLUMNS);
  }
}

function showOperation(ctx: Ctx, app: string, op: OperationState): number {
  if (ctx.out.json) {
    ctx.out.printJson(op);
  } else {
    ctx.out.details([
      ['application', app],
      ['phase', op.phase],
      ['revision', orDash(op.revision)],
      ['message', op.message],
      ['started', time(op.startedAt)],
      ['finished', time(op.finishedAt)],
      ...(op.dryRun ? [['dry run', 'yes'] as [string, string]] : []),
    ]);
    if (op.resources.length > 0) {
      ctx.out.line();
      ctx.out.table(op.resources, [
        { header: 'WAVE', value: (r) => String(r.wave) },
        { header: 'KIND', value: (r) => `${r.key.group ? `${r.key.group}/` : ''}${r.key.kind}` },
        { header: 'NAMESPACE', value: (r) => orDash(r.key.namespace) },
        { header: 'NAME', value: (r) => r.key.name },
        { header: 'STATUS', value: (r) => r.status },
        { header: 'HOOK', value: (r) => r.hookType ?? '' },
        { header: 'MESSAGE', value: (r) => r.message },
      ]);
    }
  }
  return op.phase === 'Succeeded' ? 0 : 1;
}

const appCreate: CommandSpec = {
  words: ['app', 'create'],
  args: 'NAME --project P --repo URL (--dest-name N | --dest-server URL) [options] | -f app.yaml',
  summary: 'Create an application',
  details: "Flags follow argocd app create. The project must have a delivery policy allowing the repository and destination (berth project delivery set).",
  options: CREATE_OPTIONS,
  positionals: [0, 1],
  examples: [
    'berth app create guestbook --project team --repo https://git.example.com/team/apps.git --path guestbook --dest-name prod --dest-namespace guestbook',
    'berth app create web -p team --repo https://git.example.com/team/apps.git --dest-name prod --dest-namespace web --sync-policy automated --self-heal --sync-option CreateNamespace=true',
    'berth app create web -p team --repo https://git.example.com/team/apps.git --path web/overlays/prod --dest-name prod --dest-namespace web --kustomize-image web=registry.example.com/team/web:1.4 --nameprefix prod-',
    'berth app create api -p team --repo https://git.example.com/team/charts.git --path charts/api --dest-name prod --dest-namespace api --values values-prod.yaml --helm-set replicas=3 --helm-set-string image.tag=010 --release-name api',
    'berth app create -f guestbook.yaml',
  ],
  async run(ctx) {
    const file = str(ctx.values, 'file');
    let name = ctx.positionals[0];
    let spec: unknown;
    if (file !== undefined) {
      const apps = (await manifests(file)).filter((d) => d.kind === 'Application');
      if (apps.length !== 1) throw new CliError(`${file}: expected one Application document, found ${apps.length} (use berth app apply -f for several)`);
      const doc = apps[0]!.doc;
      if (name !== undefined && name !== doc.metadata.name) throw new UsageError(`NAME ${name} differs from metadata.name ${doc.metadata.name} in ${file}`, ctx.spec);
      name = doc.metadata.name;
      spec = doc.spec;
    } else {
      if (name === undefined) throw new UsageError('give the application NAME (or -f app.yaml)', ctx.spec);
      spec = specFromFlags(ctx);
    }
    const client = ctx.client();
    let res;
    try {
      res = await client.post<ApplicationRecord>('/applications', { metadata: { name }, spec });
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 409 && bool(ctx.values, 'upsert'))) throw err;
      res = await client.put<ApplicationRecord>(`/applications/${seg(name)}`, { spec });
    }
    if (ctx.out.json) return ctx.out.printJson(res.data);
    ctx.out.line(`${res.status === 201 ? 'Created' : 'Updated'} application ${res.data.name} in project ${res.data.project}.`);
  },
};

const appList: CommandSpec = {
  words: ['app', 'list'],
  args: '[--project P] [-q FILTER] [--cluster C] [--namespace NS] [--sync S[,S]] [--health H[,H]] [--page N] [--page-size N]',
  summary: 'List the applications you can see, with sync and health status',
  options: {
    project: { type: 'string', short: 'p', value: 'PROJECT', help: 'only this project' },
    query: { type: 'string', short: 'q', value: 'FILTER', help: 'name=NAME or name=~TEXT' },
    cluster: { type: 'string', value: 'CLUSTER', help: 'destination cluster (name or server URL)' },
    namespace: { type: 'string', value: 'NS', help: 'destination namespace' },
    sync: { type: 'string', value: 'STATUS', help: 'Synced, OutOfSync, Unknown (several: comma-separated)' },
    health: { type: 'string', value: 'STATUS', help: 'Healthy, Progressing, Degraded, Suspended, Missing, Unknown (several: comma-separated)' },
    ...PAGE_OPTIONS,
  },
  positionals: [0, 0],
  examples: ['berth app list', 'berth app list -p team -o json', 'berth app list --health Degraded,Missing --cluster prod'],
  async run(ctx) {
    const page = paging(ctx);
    const filters: Record<string, string> = {};
    for (const [flag, param] of [['project', 'project'], ['query', 'q'], ['cluster', 'cluster'], ['namespace', 'namespace'], ['sync', 'sync'], ['health', 'health']] as const) {
      const v = str(ctx.values, flag);
      if (v !== undefined) filters[param] = v;
    }
    const res = await ctx.client().get<AppListItem[]>('/applications', { ...page, ...filters });
    showList(ctx, res, APP_COLUMNS, 'applications', page);
  },
};

const nameOnly = (words: [string, string], summary: string, examples: string[], run: (ctx: Ctx, name: string) => Promise<number | undefined | void>, extra: Partial<CommandSpec> = {}): CommandSpec => ({
  words,
  args: 'NAME',
  summary,
  positionals: [1, 1],
  examples,
  run: (ctx) => run(ctx, ctx.positionals[0]!),
  ...extra,
});

const appGet = nameOnly(['app', 'get'], 'Show an application, its status and resources', ['berth app get guestbook', 'berth app get guestbook -o json'], async (ctx, name) => {
  showApp(ctx, (await ctx.client().get<AppView>(`/applications/${seg(name)}`)).data);
});

const appDiff = nameOnly(['app', 'diff'], 'Show how the cluster differs from Git (exit 1 when it does)', ['berth app diff guestbook'], async (ctx, name) => {
  const diffs = (await ctx.client().get<ResourceDiff[]>(`/applications/${seg(name)}/diff`)).data;
  const out = diffs.filter((d) => d.state === 'OutOfSync');
  if (ctx.out.json) ctx.out.printJson(diffs);
  else {
    for (const d of out) {
      ctx.out.line(`===== ${key(d.key)} (${d.reason ?? 'changed'}) =====`);
      if (d.diff) ctx.out.line(d.diff.replace(/\n$/, ''));
    }
    if (out.length === 0) ctx.out.note(`${name} is in sync`);
  }
  return out.length === 0 ? 0 : 1;
});

const appSync: CommandSpec = {
  words: ['app', 'sync'],
  args: 'NAME [--revision REV] [--prune] [--dry-run] [--resource GROUP:KIND:[NAMESPACE/]NAME]… [--sync-option OPT]…',
  summary: 'Sync an application and wait for the operation (exit 1 unless it succeeded)',
  options: {
    revision: { type: 'string', value: 'REV', help: 'sync this revision instead of the target revision' },
    prune: { type: 'boolean', help: 'delete resources no longer in Git' },
    'dry-run': { type: 'boolean', help: 'preview: server-side dry run, nothing changes' },
    resource: { type: 'string', multiple: true, value: 'G:K:[NS/]NAME', help: 'sync only this resource (repeatable; group empty for core kinds)' },
    'sync-option': { type: 'string', multiple: true, value: 'OPT', help: 'sync option for this operation (repeatable)' },
  },
  positionals: [1, 1],
  examples: ['berth app sync guestbook', 'berth app sync guestbook --prune', 'berth app sync guestbook --resource apps:Deployment:guestbook/web'],
  async run(ctx) {
    const name = ctx.positionals[0]!;
    const resources = ((ctx.values.resource as string[] | undefined) ?? []).map((r) => {
      const m = /^([^:]*):([^:]+):(?:([^/]+)\/)?(.+)$/.exec(r);
      if (!m) throw new UsageError(`--resource ${JSON.stringify(r)}: use GROUP:KIND:NAME or GROUP:KIND:NAMESPACE/NAME`, ctx.spec);
      return { group: m[1]!, kind: m[2]!, namespace: m[3] ?? '', name: m[4]! };
    });
    const body = {
      ...(str(ctx.values, 'revision') !== undefined ? { revision: str(ctx.values, 'revision') } : {}),
      ...(bool(ctx.values, 'prune') !== undefined ? { prune: bool(ctx.values, 'prune') } : {}),
      ...(bool(ctx.values, 'dry-run') ? { dryRun: true } : {}),
      ...(resources.length > 0 ? { resources } : {}),
      ...(ctx.values['sync-option'] ? { syncOptions: ctx.values['sync-option'] } : {}),
    };
    return showOperation(ctx, name, (await ctx.client().post<OperationState>(`/applications/${seg(name)}/sync`, body)).data);
  },
};

const appHistory = nameOnly(['app', 'history'], 'Show the sync history, newest first', ['berth app history guestbook'], async (ctx, name) => {
  const res = await ctx.client().get<HistoryEntry[]>(`/applications/${seg(name)}/history`);
  showList(
    ctx,
    res,
    [
      { header: 'ID', value: (h) => String(h.id) },
      { header: 'DEPLOYED', value: (h) => time(h.finishedAt) },
      { header: 'REVISION', value: (h) => h.revision },
      { header: 'PHASE', value: (h) => h.phase },
      { header: 'TRIGGER', value: (h) => h.trigger },
      { header: 'BY', value: (h) => h.actor },
      { header: 'SOURCE', value: (h) => `${h.source.repoURL} ${h.source.path}@${h.source.targetRevision}` },
    ],
    'history entries',
  );
});

interface OperationRow { id: string; kind: string; trigger: string; revision: string; resolvedRevision?: string; actor: { name: string }; state: string; attempts: number; resourcesDone: number; createdAt: number; message: string }

const appOperations = nameOnly(['app', 'operations'], 'Show every sync, rollback and deletion recorded, newest first (also running and interrupted ones)', ['berth app operations guestbook'], async (ctx, name) => {
  const res = await ctx.client().get<OperationRow[]>(`/applications/${seg(name)}/operations`);
  showList(
    ctx,
    res,
    [
      { header: 'ID', value: (o) => o.id },
      { header: 'ACCEPTED', value: (o) => time(o.createdAt) },
      { header: 'KIND', value: (o) => o.kind },
      { header: 'TRIGGER', value: (o) => o.trigger },
      { header: 'REVISION', value: (o) => o.resolvedRevision ?? o.revision },
      { header: 'STATE', value: (o) => o.state },
      { header: 'ATTEMPTS', value: (o) => String(o.attempts) },
      { header: 'BY', value: (o) => o.actor.name },
      { header: 'MESSAGE', value: (o) => o.message.slice(0, 80) },
    ],
    'operations',
  );
});

const appRollback: CommandSpec = {
  words: ['app', 'rollback'],
  args: 'NAME ID',
  summary: 'Sync the revision of a history entry again (refused while automated sync is on)',
  positionals: [2, 2],
  examples: ['berth app rollback guestbook 3'],
  async run(ctx) {
    const [name, raw] = ctx.positionals as [string, string];
    const id = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(id) || id < 1) throw new UsageError('ID is the number shown by berth app history', ctx.spec);
    return showOperation(ctx, name, (await ctx.client().post<OperationState>(`/applications/${seg(name)}/rollback`, { id })).data);
  },
};

const appDelete: CommandSpec = {
  words: ['app', 'delete'],
  args: 'NAME [--no-cascade] [--propagation-policy foreground|background|orphan]',
  summary: 'Delete an application and (unless --no-cascade) its resources in the cluster',
  options: {
    cascade: { type: 'boolean', negatable: true, help: 'also delete its resources from the cluster (default)' },
    'propagation-policy': { type: 'string', value: 'POLICY', help: 'foreground, background or orphan' },
  },
  positionals: [1, 1],
  examples: ['berth app delete guestbook', 'berth app delete guestbook --no-cascade'],
  async run(ctx) {
    const name = ctx.positionals[0]!;
    const pp = str(ctx.values, 'propagation-policy');
    if (pp !== undefined && !['foreground', 'background', 'orphan'].includes(pp.toLowerCase())) throw new UsageError('--propagation-policy is foreground, background or orphan', ctx.spec);
    const cascade = bool(ctx.values, 'cascade') ?? true;
    await ctx.client().delete(`/applications/${seg(name)}`, { cascade: String(cascade), ...(pp ? { propagationPolicy: pp.charAt(0).toUpperCase() + pp.slice(1).toLowerCase() } : {}) });
    if (!ctx.out.json) ctx.out.line(`Deleted application ${name}${cascade ? ' and its resources' : ' (its resources stay in the cluster)'}.`);
  },
};

const appRefresh: CommandSpec = {
  words: ['app', 'refresh'],
  args: 'NAME [--hard]',
  summary: 'Fetch Git and compare with the cluster now',
  options: { hard: { type: 'boolean', help: 'also render again instead of using the cached manifests' } },
  positionals: [1, 1],
  examples: ['berth app refresh guestbook', 'berth app refresh guestbook --hard'],
  async run(ctx) {
    const name = ctx.positionals[0]!;
    const res = await ctx.client().request<ApplicationStatus>('POST', `/applications/${seg(name)}/refresh`, { query: { hard: bool(ctx.values, 'hard') ? 'true' : 'false' } });
    if (ctx.out.json) return ctx.out.printJson(res.data);
    ctx.out.line(`${name}: ${res.data.sync.status}${res.data.sync.revision ? ` to ${res.data.sync.revision}` : ''}, ${res.data.health.status}`);
    for (const c of res.data.conditions) ctx.out.warn(`${c.type}: ${c.message}`);
  },
};

const appApply: CommandSpec = {
  words: ['app', 'apply'],
  args: '-f FILE|DIR',
  summary: 'Create or update every Application and AppProject in YAML files (a directory is read recursively)',
  details: [
    'AppProject documents set the delivery policy of the Berth project they name (which must exist); they are applied before the applications.',
    'Every document is checked first: if any is invalid, each invalid one is named with the reason and nothing is applied.',
    'A document the server then refuses (policy, permissions) stops the apply: those before it stay applied and are listed.',
  ].join('\n'),
  options: { file: { type: 'string', short: 'f', value: 'FILE|DIR', help: 'a YAML file (- for stdin) or a directory of them' } },
  positionals: [0, 0],
  examples: ['berth app apply -f apps/', 'berth app apply -f guestbook.yaml'],
  async run(ctx) {
    const file = str(ctx.values, 'file');
    if (file === undefined) throw new UsageError('give the manifests with -f FILE|DIR', ctx.spec);
    const { checkManifests } = await import('../../gitops/apps/loader.ts');
    const { docs, problems } = await checkManifests(file === '-' ? { text: await readStdin(), file: '(stdin)' } : file);
    if (problems.length > 0) {
      for (const p of problems) ctx.out.note(`berth: ${p}`);
      const count = problems.length === 1 ? 'a document is invalid' : `${problems.length} documents are invalid`;
      throw new CliError(`nothing was applied: ${count} (app apply applies every document or none; fix ${problems.length === 1 ? 'it' : 'them'} and run it again)`);
    }
    if (docs.length === 0) throw new CliError(`${file}: no Application or AppProject documents`);
    const client = ctx.client();
    const results: { kind: string; name: string; action: string }[] = [];
    const ordered = [...docs.filter((d) => d.kind === 'AppProject'), ...docs.filter((d) => d.kind === 'Application')];
    for (const [i, d] of ordered.entries()) {
      const name = d.doc.metadata.name;
      const where = `${d.file}${d.index > 0 || docs.some((o) => o !== d && o.file === d.file) ? ` (document ${d.index + 1})` : ''}`;
      try {
        if (d.kind === 'AppProject') {
          await client.put(`/projects/${seg(name)}/delivery`, d.doc.spec);
          results.push({ kind: 'AppProject', name, action: 'configured' });
          continue;
        }
        try {
          await client.post('/applications', { metadata: { name }, spec: d.doc.spec });
          results.push({ kind: 'Application', name, action: 'created' });
        } catch (err) {
          if (!(err instanceof ApiError && err.status === 409)) throw err;
          await client.put(`/applications/${seg(name)}`, { spec: d.doc.spec });
          results.push({ kind: 'Application', name, action: 'updated' });
        }
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        printApplied(ctx, results);
        const left = ordered.length - i;
        throw new CliError(`${where}: ${d.kind === 'AppProject' ? 'appproject' : 'application'}/${name}: ${err.message}\nberth: stopped there: ${results.length} applied (listed above), ${left} not applied`);
      }
    }
    printApplied(ctx, results);
  },
};

function printApplied(ctx: Ctx, results: { kind: string; name: string; action: string }[]): void {
  if (ctx.out.json) return ctx.out.printJson(results);
  for (const r of results) ctx.out.line(`${r.kind.toLowerCase()}/${r.name} ${r.action}`);
}

export const appCommands: CommandSpec[] = [appCreate, appList, appGet, appTree, appDiff, appSync, appHistory, appOperations, appRollback, appDelete, appRefresh, appApply];

// ---- berth project delivery get|set ----

function showPolicy(ctx: Ctx, p: StoredPolicy): void {
  if (ctx.out.json) return ctx.out.printJson(p);
  const gk = (l: { group: string; kind: string }[] | undefined) => (l === undefined ? 'all' : l.length === 0 ? 'none' : l.map((e) => `${e.group || '(core)'}/${e.kind}`).join(', '));
  ctx.out.details([
    ['project', p.project],
    ...(p.policy.description ? [['description', p.policy.description] as [string, string]] : []),
    ['source repos', p.policy.sourceRepos.join('\n') || 'none'],
    ['destinations', p.policy.destinations.map((d) => `${d.name ?? d.server ?? '?'} namespace ${d.namespace}`).join('\n') || 'none'],
    ['cluster kinds allowed', gk(p.policy.clusterResourceWhitelist)],
    ['cluster kinds denied', gk(p.policy.clusterResourceBlacklist)],
    ['namespaced kinds allowed', gk(p.policy.namespaceResourceWhitelist)],
    ['namespaced kinds denied', gk(p.policy.namespaceResourceBlacklist)],
    ['updated', `${time(p.updatedAt)} by ${p.updatedBy}`],
  ]);
}

const projectDelivery: CommandSpec = {
  words: ['project', 'delivery'],
  args: 'get|set PROJECT [-f FILE]',
  summary: "Show or set a project's delivery policy (what its applications may deploy, and where)",
  details: [
    'FILE is an AppProject document (its spec is used) or a bare policy with sourceRepos,',
    'destinations and the resource white/blacklists; - reads stdin. Setting needs project',
    'administrator rights. A project without a policy cannot hold applications.',
  ].join('\n'),
  options: { file: { type: 'string', short: 'f', value: 'FILE', help: 'YAML or JSON policy (set)' } },
  positionals: [2, 2],
  examples: ['berth project delivery get team', 'berth project delivery set team -f team-policy.yaml'],
  async run(ctx) {
    const [verb, project] = ctx.positionals as [string, string];
    if (verb === 'get') {
      showPolicy(ctx, (await ctx.client().get<StoredPolicy>(`/projects/${seg(project)}/delivery`)).data);
      return;
    }
    if (verb !== 'set') throw new UsageError(`unknown action ${JSON.stringify(verb)}: use get or set`, ctx.spec);
    const file = str(ctx.values, 'file');
    if (file === undefined) throw new UsageError('give the policy with -f FILE', ctx.spec);
    let doc: unknown;
    try {
      doc = parseYaml(await readText(file));
    } catch (err) {
      if (err instanceof CliError) throw err;
      throw new CliError(`${file}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
    }
    const d = (doc ?? {}) as { kind?: unknown; spec?: unknown; metadata?: { name?: unknown } };
    if (d.kind === 'AppProject' && d.metadata?.name !== undefined && d.metadata.name !== project) throw new CliError(`${file}: metadata.name ${JSON.stringify(d.metadata.name)} is not ${project}`);
    const policy = d.kind === 'AppProject' ? d.spec : doc;
    showPolicy(ctx, (await ctx.client().put<StoredPolicy>(`/projects/${seg(project)}/delivery`, policy ?? {})).data);
  },
};

export const projectDeliveryCommands: CommandSpec[] = [projectDelivery];
