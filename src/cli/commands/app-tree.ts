/** berth app tree NAME: the resource tree of an application, as Argo CD's UI draws it. */
import type { ResourceNode, ResourceTree } from '../../gitops/types.ts';
import { seg } from '../client.ts';
import type { CommandSpec } from '../framework.ts';

const label = (n: ResourceNode) => `${n.kind} ${n.namespace ? `${n.namespace}/` : ''}${n.name}`;

function details(n: ResourceNode): string {
  const parts: string[] = [];
  if (n.managed) parts.push(n.sync ?? 'Unknown');
  if (n.health) parts.push(n.health.status);
  const i = n.info;
  if (i.replicas) parts.push(`${i.replicas.ready}/${i.replicas.desired} ready`);
  if (i.podPhase) parts.push(i.podPhase);
  if (i.ready) parts.push(`${i.ready} containers ready`);
  if (i.restarts) parts.push(`${i.restarts} restarts`);
  if (i.images?.length) parts.push(i.images.join(','));
  if (n.requiresPruning) parts.push('requires pruning');
  return parts.join('  ');
}

/** Lines of the tree: managed resources first, each child under its first owner in the tree. */
export function treeLines(tree: ResourceTree): string[] {
  const children = new Map<string, ResourceNode[]>();
  const roots: ResourceNode[] = [];
  for (const n of tree.nodes) {
    const parent = n.parentRefs.find((p) => p.uid !== undefined && tree.nodes.some((x) => x.uid === p.uid));
    if (!parent) roots.push(n);
    else children.set(parent.uid!, [...(children.get(parent.uid!) ?? []), n]);
  }
  const lines: string[] = [];
  const walk = (n: ResourceNode, prefix: string, last: boolean, top: boolean) => {
    lines.push(`${top ? '' : `${prefix}${last ? '└─ ' : '├─ '}`}${label(n)}  ${details(n)}`.trimEnd());
    const kids = (n.uid ? children.get(n.uid) : undefined) ?? [];
    kids.forEach((k, i) => walk(k, top ? '' : `${prefix}${last ? '   ' : '│  '}`, i === kids.length - 1, false));
  };
  for (const r of roots) walk(r, '', true, true);
  if (tree.truncated) lines.push(`… more resources than shown (the tree is cut at ${tree.nodes.length} nodes)`);
  return lines;
}

export const appTree: CommandSpec = {
  words: ['app', 'tree'],
  args: 'NAME',
  summary: 'Show the resource tree: managed resources and what the cluster made of them (ReplicaSets, Pods …), with sync state and health',
  positionals: [1, 1],
  examples: ['berth app tree guestbook', 'berth app tree guestbook -o json'],
  async run(ctx) {
    const tree = (await ctx.client().get<ResourceTree>(`/applications/${seg(ctx.positionals[0]!)}/resource-tree`)).data;
    if (ctx.out.json) return ctx.out.printJson(tree);
    for (const line of treeLines(tree)) ctx.out.line(line);
    if (tree.nodes.length === 0) ctx.out.note('no resources yet (the application was not compared, or renders nothing)');
  },
};
