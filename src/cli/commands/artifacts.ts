/** berth artifact …: browse, tag, untag, delete and copy artifacts (the browsing API, docs/artifacts.md). */
import type { ArtifactDetail, ArtifactInfo, TagInfo } from '../../registry/artifact-types.ts';
import { seg } from '../client.ts';
import { type CommandSpec, type Ctx, UsageError, bool } from '../framework.ts';
import type { Column } from '../output.ts';
import { LIST_OPTIONS, listQuery, showList } from './common.ts';
import { shortTime, splitRepository } from './repositories.ts';

/** `team/app:v1` or `team/app@sha256:…` → the artifact's API path. */
export function artifactRef(ctx: Ctx, ref: string): { repositoryPath: string; reference: string; path: string; repository: string } {
  let repo: string;
  let reference: string;
  const at = ref.indexOf('@');
  if (at > 0) {
    repo = ref.slice(0, at);
    reference = ref.slice(at + 1);
  } else {
    const colon = ref.lastIndexOf(':');
    if (colon <= ref.lastIndexOf('/')) throw new UsageError(`${JSON.stringify(ref)}: give PROJECT/REPOSITORY:TAG or PROJECT/REPOSITORY@DIGEST`, ctx.spec);
    repo = ref.slice(0, colon);
    reference = ref.slice(colon + 1);
  }
  const r = splitRepository(ctx, repo);
  return { repositoryPath: r.path, reference, repository: repo, path: `${r.path}/artifacts/${seg(reference)}` };
}

const short = (digest: string) => digest.replace(/^(sha256:|sha512:)?(.{12}).*$/, '$1$2');

function size(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

const ARTIFACT_COLUMNS: Column<ArtifactInfo>[] = [
  { header: 'DIGEST', value: (a) => short(a.digest) },
  { header: 'TYPE', value: (a) => a.type },
  { header: 'TAGS', value: (a) => (a.tags ?? []).map((t) => t.name).join(',') || '-' },
  { header: 'SIZE', value: (a) => size(a.size) },
  { header: 'PLATFORMS', value: (a) => a.platforms.map((p) => `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`).join(',') || '-' },
  { header: 'PUSHED', value: (a) => shortTime(a.push_time) },
  { header: 'PULLED', value: (a) => shortTime(a.pull_time) },
  { header: 'PULLS', value: (a) => String(a.pull_count) },
];

const artifactList: CommandSpec = {
  words: ['artifact', 'list'],
  args: 'PROJECT/REPOSITORY [-q FILTER] [--sort FIELDS] [--labels] [--page N] [--page-size N]',
  summary: 'List the artifacts of a repository (newest push first)',
  details:
    'Filter: tags=TAG, tags=~TEXT, tags=* (tagged), tags=nil (untagged), digest=DIGEST, digest=~PREFIX, type=IMAGE|INDEX|OTHER, media_type=TYPE. Sort fields: push_time, pull_time, pull_count, size, digest. Index children and referrers are shown by artifact get.',
  options: { ...LIST_OPTIONS, labels: { type: 'boolean', help: "include the config's labels (with -o json)" } },
  positionals: [1, 1],
  examples: ['berth artifact list team/app', 'berth artifact list team/app -q tags=~release --sort -pull_count', 'berth artifact list team/app -q tags=nil -o json'],
  async run(ctx) {
    const { path } = splitRepository(ctx, ctx.positionals[0]!);
    const query = listQuery(ctx);
    const res = await ctx.client().get<ArtifactInfo[]>(`${path}/artifacts`, { ...query, ...(bool(ctx.values, 'labels') ? { with_label: 'true' } : {}) });
    showList(ctx, res, ARTIFACT_COLUMNS, 'artifacts', query);
  },
};

const artifactGet: CommandSpec = {
  words: ['artifact', 'get'],
  args: 'PROJECT/REPOSITORY:TAG | PROJECT/REPOSITORY@DIGEST',
  summary: 'Show an artifact: config summary, layers, platforms of an index, referrers',
  positionals: [1, 1],
  examples: ['berth artifact get team/app:v1', 'berth artifact get team/app@sha256:4f1c… -o json'],
  async run(ctx) {
    const a = (await ctx.client().get<ArtifactDetail>(artifactRef(ctx, ctx.positionals[0]!).path)).data;
    if (ctx.out.json) return ctx.out.printJson(a);
    const rows: [string, string][] = [
      ['digest', a.digest],
      ['repository', a.repository_name],
      ['type', a.type],
      ['media type', a.media_type],
      ['artifact type', a.artifact_type ?? '-'],
      ['size', `${size(a.size)} (${a.size} bytes)`],
      ['tags', (a.tags ?? []).map((t) => t.name).join(', ') || '-'],
      ['pushed', shortTime(a.push_time)],
      ['pulled', `${shortTime(a.pull_time)} (${a.pull_count} pulls)`],
    ];
    if (a.subject) rows.push(['subject', a.subject]);
    if (a.config) {
      rows.push(['platform', `${a.config.os ?? '?'}/${a.config.architecture ?? '?'}${a.config.variant ? `/${a.config.variant}` : ''}`]);
      rows.push(['created', a.config.created ?? '-']);
      if (a.config.entrypoint) rows.push(['entrypoint', JSON.stringify(a.config.entrypoint)]);
      if (a.config.cmd) rows.push(['cmd', JSON.stringify(a.config.cmd)]);
      rows.push(['env', `${a.config.env_count} variables`]);
      const labels = Object.entries(a.config.labels);
      if (labels.length > 0) rows.push(['labels', labels.map(([k, v]) => `${k}=${v}`).join('\n')]);
    }
    if (a.layers.length > 0) rows.push(['layers', a.layers.map((l) => `${short(l.digest)}  ${size(l.size).padStart(10)}  ${l.media_type}`).join('\n')]);
    if (a.references.length > 0) {
      rows.push(['manifests', a.references.map((c) => `${short(c.digest)}  ${c.platform ? `${c.platform.os}/${c.platform.architecture}${c.platform.variant ? `/${c.platform.variant}` : ''}` : '-'}  ${size(c.size)}`).join('\n')]);
    }
    if (a.referrers.length > 0) rows.push(['referrers', a.referrers.map((r) => `${'  '.repeat(r.depth - 1)}${short(r.digest)}  ${r.artifact_type ?? r.media_type}`).join('\n')]);
    ctx.out.details(rows);
  },
};

const artifactDelete: CommandSpec = {
  words: ['artifact', 'delete'],
  args: 'PROJECT/REPOSITORY:TAG | PROJECT/REPOSITORY@DIGEST',
  summary: 'Delete an artifact with all its tags, its referrers and the index children nothing else uses',
  details: 'Naming it by tag deletes the whole artifact, not only the tag: use artifact untag for that.',
  positionals: [1, 1],
  examples: ['berth artifact delete team/app@sha256:4f1c…', 'berth artifact delete team/app:old'],
  async run(ctx) {
    await ctx.client().delete(artifactRef(ctx, ctx.positionals[0]!).path);
    if (!ctx.out.json) ctx.out.line(`Deleted artifact ${ctx.positionals[0]!}.`);
  },
};

const artifactTag: CommandSpec = {
  words: ['artifact', 'tag'],
  args: 'PROJECT/REPOSITORY:TAG|@DIGEST NEW-TAG',
  summary: 'Add a tag to an artifact (refused when the tag exists)',
  positionals: [2, 2],
  examples: ['berth artifact tag team/app:v1 stable', 'berth artifact tag team/app@sha256:4f1c… v1.0.1'],
  async run(ctx) {
    const ref = artifactRef(ctx, ctx.positionals[0]!);
    const tag = ctx.positionals[1]!;
    const res = await ctx.client().request<TagInfo>('POST', `${ref.path}/tags/${seg(tag)}`);
    if (ctx.out.json) return ctx.out.printJson(res.data);
    ctx.out.line(`Tagged ${ctx.positionals[0]!} as ${ref.repository}:${tag}.`);
  },
};

const artifactUntag: CommandSpec = {
  words: ['artifact', 'untag'],
  args: 'PROJECT/REPOSITORY:TAG',
  summary: 'Remove a tag (the artifact stays)',
  positionals: [1, 1],
  examples: ['berth artifact untag team/app:old'],
  async run(ctx) {
    const ref = artifactRef(ctx, ctx.positionals[0]!);
    if (ref.reference.includes(':')) throw new UsageError('give the tag to remove: PROJECT/REPOSITORY:TAG', ctx.spec);
    await ctx.client().delete(`${ref.path}/tags/${seg(ref.reference)}`);
    if (!ctx.out.json) ctx.out.line(`Removed tag ${ctx.positionals[0]!}.`);
  },
};

const artifactCopy: CommandSpec = {
  words: ['artifact', 'copy'],
  args: 'SOURCE TARGET-PROJECT/REPOSITORY',
  summary: 'Copy an artifact into another repository (blobs are linked, not copied)',
  details: 'SOURCE is PROJECT/REPOSITORY:TAG (the copy gets the tag) or PROJECT/REPOSITORY@DIGEST (untagged). Needs pull on the source and push on the target.',
  positionals: [2, 2],
  examples: ['berth artifact copy team/app:v1 prod/app', 'berth artifact copy team/app@sha256:4f1c… prod/app'],
  async run(ctx) {
    const source = ctx.positionals[0]!;
    artifactRef(ctx, source);
    const target = splitRepository(ctx, ctx.positionals[1]!);
    const res = await ctx.client().request<ArtifactInfo>('POST', `${target.path}/artifacts`, { query: { from: source } });
    if (ctx.out.json) return ctx.out.printJson(res.data);
    ctx.out.line(`Copied ${source} to ${res.data.repository_name}@${res.data.digest}.`);
  },
};

export const artifactCommands: CommandSpec[] = [artifactList, artifactGet, artifactDelete, artifactTag, artifactUntag, artifactCopy];
