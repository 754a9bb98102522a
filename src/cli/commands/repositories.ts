/** berth repository …: the registry repositories of a project (Harbor's repositories). */
import type { RepositoryInfo } from '../../registry/artifact-types.ts';
import { seg } from '../client.ts';
import { type CommandSpec, type Ctx, UsageError } from '../framework.ts';
import type { Column } from '../output.ts';
import { LIST_OPTIONS, listQuery, showList } from './common.ts';

/** `team/app/web` → project `team`, repository `app/web` (the API's path segments, encoded). */
export function splitRepository(ctx: Ctx, full: string): { project: string; repository: string; path: string } {
  const slash = full.indexOf('/');
  if (slash <= 0 || slash === full.length - 1) throw new UsageError(`${JSON.stringify(full)}: give PROJECT/REPOSITORY, e.g. team/app`, ctx.spec);
  const project = full.slice(0, slash);
  const repository = full.slice(slash + 1);
  return { project, repository, path: `/projects/${seg(project)}/repositories/${seg(repository)}` };
}

const shortTime = (iso: string | null) => (iso === null ? '-' : `${iso.slice(0, 19).replace('T', ' ')}Z`);

const REPOSITORY_COLUMNS: Column<RepositoryInfo>[] = [
  { header: 'NAME', value: (r) => r.name },
  { header: 'ARTIFACTS', value: (r) => String(r.artifact_count) },
  { header: 'PULLS', value: (r) => String(r.pull_count) },
  { header: 'UPDATED', value: (r) => shortTime(r.update_time) },
  { header: 'DESCRIPTION', value: (r) => r.description },
];

export { shortTime };

const repositoryList: CommandSpec = {
  words: ['repository', 'list'],
  args: 'PROJECT [-q FILTER] [--sort FIELDS] [--page N] [--page-size N]',
  summary: "List a project's registry repositories",
  details: 'Filter: name=NAME or name=~TEXT (the name within the project). Sort fields: name, creation_time, update_time, pull_count.',
  options: LIST_OPTIONS,
  positionals: [1, 1],
  examples: ['berth repository list team', 'berth repository list team -q name=~web --sort -pull_count'],
  async run(ctx) {
    const query = listQuery(ctx);
    const res = await ctx.client().get<RepositoryInfo[]>(`/projects/${seg(ctx.positionals[0]!)}/repositories`, query);
    showList(ctx, res, REPOSITORY_COLUMNS, 'repositories', query);
  },
};

const repositoryGet: CommandSpec = {
  words: ['repository', 'get'],
  args: 'PROJECT/REPOSITORY',
  summary: 'Show a registry repository',
  positionals: [1, 1],
  examples: ['berth repository get team/app/web'],
  async run(ctx) {
    const { path } = splitRepository(ctx, ctx.positionals[0]!);
    const r = (await ctx.client().get<RepositoryInfo>(path)).data;
    if (ctx.out.json) return ctx.out.printJson(r);
    ctx.out.details([
      ['name', r.name],
      ['project', r.project_name],
      ['description', r.description || '-'],
      ['artifacts', String(r.artifact_count)],
      ['pulls', String(r.pull_count)],
      ['created', shortTime(r.creation_time)],
      ['updated', shortTime(r.update_time)],
    ]);
  },
};

const repositoryDelete: CommandSpec = {
  words: ['repository', 'delete'],
  args: 'PROJECT/REPOSITORY',
  summary: 'Delete a registry repository with every artifact and tag in it',
  details: 'Needs repository:delete (maintainers and project administrators). Blob storage is reclaimed by garbage collection.',
  positionals: [1, 1],
  examples: ['berth repository delete team/old-app'],
  async run(ctx) {
    const { path } = splitRepository(ctx, ctx.positionals[0]!);
    await ctx.client().delete(path);
    if (!ctx.out.json) ctx.out.line(`Deleted repository ${ctx.positionals[0]!}.`);
  },
};

export const repositoryCommands: CommandSpec[] = [repositoryList, repositoryGet, repositoryDelete];
