/**
 * `berth app create`'s argocd-style flags and the Application spec they
 * make: source, destination, sync policy, and the Kustomize and Helm
 * options argocd users expect (--kustomize-image, --nameprefix,
 * --namesuffix, --helm-set, --helm-set-string, --values, --release-name).
 */
import { validateRepoUrl } from '../../gitops/git/urls.ts';
import { type Ctx, UsageError, bool, str } from '../framework.ts';

export const CREATE_OPTIONS = {
  file: { type: 'string', short: 'f', value: 'FILE', help: 'an Application YAML document (- for stdin) instead of the flags' },
  repo: { type: 'string', value: 'URL', help: 'Git repository URL' },
  path: { type: 'string', value: 'PATH', help: 'directory in the repository (default .)' },
  revision: { type: 'string', value: 'REV', help: 'branch, tag, commit or HEAD (default HEAD)' },
  'dest-server': { type: 'string', value: 'URL', help: 'destination cluster API server URL' },
  'dest-name': { type: 'string', value: 'NAME', help: 'destination cluster name (in-cluster for the cluster Berth runs in)' },
  'dest-namespace': { type: 'string', value: 'NS', help: 'destination namespace' },
  project: { type: 'string', short: 'p', value: 'PROJECT', help: 'the Berth project (its delivery policy applies)' },
  'sync-policy': { type: 'string', value: 'POLICY', help: 'automated or manual (default manual)' },
  'auto-prune': { type: 'boolean', help: 'automated sync deletes resources no longer in Git' },
  'self-heal': { type: 'boolean', help: 'automated sync reverts changes made in the cluster' },
  'sync-option': { type: 'string', multiple: true, value: 'OPT', help: 'a sync option such as CreateNamespace=true (repeatable)' },
  'kustomize-image': { type: 'string', multiple: true, value: 'IMAGE', help: 'Kustomize image override, as kustomize edit set image takes it: name:tag, name@digest, name=new:tag (repeatable)' },
  nameprefix: { type: 'string', value: 'PREFIX', help: 'Kustomize namePrefix' },
  namesuffix: { type: 'string', value: 'SUFFIX', help: 'Kustomize nameSuffix' },
  'helm-set': { type: 'string', multiple: true, value: 'NAME=VALUE', help: 'Helm parameter, as helm --set (repeatable)' },
  'helm-set-string': { type: 'string', multiple: true, value: 'NAME=VALUE', help: 'Helm parameter kept a string, as helm --set-string (repeatable)' },
  values: { type: 'string', multiple: true, value: 'FILE', help: 'Helm value file, relative to the chart path in the repository (repeatable)' },
  'release-name': { type: 'string', value: 'NAME', help: 'Helm release name (default: the application name)' },
  upsert: { type: 'boolean', help: 'update the application when it exists' },
} as const;

const list = (ctx: Ctx, name: string): string[] => (ctx.values[name] as string[] | undefined) ?? [];

function helmParameters(ctx: Ctx, flag: 'helm-set' | 'helm-set-string'): { name: string; value: string; forceString: boolean }[] {
  return list(ctx, flag).map((p) => {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new UsageError(`--${flag} ${JSON.stringify(p)}: use NAME=VALUE`, ctx.spec);
    return { name: p.slice(0, eq), value: p.slice(eq + 1), forceString: flag === 'helm-set-string' };
  });
}

/** The source's `kustomize` or `helm` block from the flags, or nothing. */
function toolOptions(ctx: Ctx): Record<string, unknown> {
  const v = ctx.values;
  const images = list(ctx, 'kustomize-image');
  const prefix = str(v, 'nameprefix');
  const suffix = str(v, 'namesuffix');
  const kustomize = {
    ...(images.length > 0 ? { images } : {}),
    ...(prefix !== undefined ? { namePrefix: prefix } : {}),
    ...(suffix !== undefined ? { nameSuffix: suffix } : {}),
  };
  const parameters = [...helmParameters(ctx, 'helm-set'), ...helmParameters(ctx, 'helm-set-string')];
  const valueFiles = list(ctx, 'values');
  const release = str(v, 'release-name');
  const helm = {
    ...(valueFiles.length > 0 ? { valueFiles } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(release !== undefined ? { releaseName: release } : {}),
  };
  const hasKustomize = Object.keys(kustomize).length > 0;
  const hasHelm = Object.keys(helm).length > 0;
  if (hasKustomize && hasHelm) throw new UsageError('Kustomize flags (--kustomize-image, --nameprefix, --namesuffix) and Helm flags (--helm-set, --helm-set-string, --values, --release-name) do not go together', ctx.spec);
  return hasKustomize ? { kustomize } : hasHelm ? { helm } : {};
}

/** An Application spec from argocd-style flags. */
export function specFromFlags(ctx: Ctx): Record<string, unknown> {
  const v = ctx.values;
  const repo = str(v, 'repo');
  const project = str(v, 'project');
  const destServer = str(v, 'dest-server');
  const destName = str(v, 'dest-name');
  if (!repo) throw new UsageError('give --repo URL (or -f app.yaml)', ctx.spec);
  // As berth gitrepo add (and the server) check it: no credentials in the URL, no ext:: or file://.
  try {
    validateRepoUrl(repo);
  } catch (err) {
    throw new UsageError(`--repo: ${(err as Error).message}`, ctx.spec);
  }
  if (!project) throw new UsageError('give --project PROJECT (the Berth project the application belongs to)', ctx.spec);
  if ((destServer === undefined) === (destName === undefined)) throw new UsageError('give exactly one of --dest-server and --dest-name', ctx.spec);
  const policy = str(v, 'sync-policy');
  if (policy !== undefined && policy !== 'automated' && policy !== 'manual' && policy !== 'none') throw new UsageError('--sync-policy is automated or manual', ctx.spec);
  const automated = policy === 'automated';
  if (!automated && (bool(v, 'auto-prune') || bool(v, 'self-heal'))) throw new UsageError('--auto-prune and --self-heal need --sync-policy automated', ctx.spec);
  const syncOptions = list(ctx, 'sync-option');
  return {
    project,
    source: {
      repoURL: repo,
      ...(str(v, 'path') !== undefined ? { path: str(v, 'path') } : {}),
      ...(str(v, 'revision') !== undefined ? { targetRevision: str(v, 'revision') } : {}),
      ...toolOptions(ctx),
    },
    destination: { ...(destServer !== undefined ? { server: destServer } : { name: destName }), namespace: str(v, 'dest-namespace') ?? '' },
    syncPolicy: { ...(automated ? { automated: { prune: bool(v, 'auto-prune') ?? false, selfHeal: bool(v, 'self-heal') ?? false } } : {}), syncOptions },
  };
}
