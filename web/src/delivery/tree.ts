/**
 * The resource tree's model, kept free of React so it is cheap to test and
 * to run on every render: nodes from GET /applications/{name}/resource-tree
 * are linked to their parents (parentRefs, by uid, else by identity) under a
 * synthetic Application root, then flattened into the rows that are visible
 * for the expanded set. Rendering only those rows (and only the ones in the
 * viewport) keeps ~1,500-node trees responsive (Argo CD #15509).
 */

export interface TreeRef {
  group: string;
  kind: string;
  namespace: string;
  name: string;
  uid?: string | undefined;
}

export interface TreeNodeInput extends TreeRef {
  version?: string | undefined;
  parentRefs?: TreeRef[] | undefined;
  health?: { status: string; message?: string | undefined } | undefined;
  sync?: string | undefined;
  managed?: boolean | undefined;
  requiresPruning?: boolean | undefined;
  info?: unknown;
}

export interface TreeNode {
  /** Stable id: the uid, or group/kind/namespace/name when there is none. */
  id: string;
  depth: number;
  node: TreeNodeInput;
  children: TreeNode[];
}

export interface TreeRow {
  item: TreeNode;
  depth: number;
  /** 1-based position among its siblings and their count, for aria-posinset/aria-setsize. */
  pos: number;
  size: number;
  parentId: string | undefined;
}

export const refKey = (r: TreeRef): string => `${r.group}/${r.kind}/${r.namespace}/${r.name}`;
const idOf = (n: TreeRef): string => (n.uid ? `uid:${n.uid}` : `key:${refKey(n)}`);

/** Argo CD's ordering of kinds under a parent: workloads first, then the rest by kind and name. */
const KIND_ORDER = ['Namespace', 'CustomResourceDefinition', 'ServiceAccount', 'ConfigMap', 'Secret', 'Service', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod'];
function compareNodes(a: TreeNode, b: TreeNode): number {
  const ka = KIND_ORDER.indexOf(a.node.kind);
  const kb = KIND_ORDER.indexOf(b.node.kind);
  if (ka !== kb) return (ka === -1 ? 99 : ka) - (kb === -1 ? 99 : kb);
  return a.node.kind.localeCompare(b.node.kind) || a.node.namespace.localeCompare(b.node.namespace) || a.node.name.localeCompare(b.node.name, undefined, { numeric: true });
}

/** Links nodes under `root`; a node whose parents are all unknown hangs off the root, so nothing is lost. */
export function buildTree(root: TreeNodeInput, nodes: readonly TreeNodeInput[]): TreeNode {
  const rootItem: TreeNode = { id: 'root', depth: 0, node: root, children: [] };
  const byUid = new Map<string, TreeNode>();
  const byKey = new Map<string, TreeNode>();
  const items = nodes.map((node) => {
    const item: TreeNode = { id: idOf(node), depth: 1, node, children: [] };
    if (node.uid) byUid.set(node.uid, item);
    byKey.set(refKey(node), item);
    return item;
  });
  for (const item of items) {
    const parent = (item.node.parentRefs ?? []).map((p) => (p.uid ? byUid.get(p.uid) : undefined) ?? byKey.get(refKey(p))).find((p) => p !== undefined && p !== item);
    (parent ?? rootItem).children.push(item);
  }
  // Depths and order in one walk; `seen` guards against a cycle in bad data.
  const seen = new Set<TreeNode>();
  const walk = (item: TreeNode, depth: number): void => {
    seen.add(item);
    item.depth = depth;
    item.children = item.children.filter((c) => !seen.has(c)).sort(compareNodes);
    for (const c of item.children) walk(c, depth + 1);
  };
  walk(rootItem, 0);
  return rootItem;
}

export function countNodes(root: TreeNode): number {
  let n = 0;
  const stack = [root];
  while (stack.length > 0) {
    const item = stack.pop()!;
    n++;
    stack.push(...item.children);
  }
  return n;
}

/** What starts expanded: everything for small trees; for big ones the root and the managed resources (so a Deployment shows its ReplicaSets, not their pods). */
export function defaultExpanded(root: TreeNode, total: number, fullLimit = 200): Set<string> {
  const open = new Set<string>();
  const stack = [root];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (item.children.length > 0 && (total <= fullLimit || item.depth <= 1)) open.add(item.id);
    stack.push(...item.children);
  }
  return open;
}

/** The rows shown for `expanded`, in document order. */
export function visibleRows(root: TreeNode, expanded: ReadonlySet<string>): TreeRow[] {
  const rows: TreeRow[] = [];
  const visit = (item: TreeNode, pos: number, size: number, parentId: string | undefined): void => {
    rows.push({ item, depth: item.depth, pos, size, parentId });
    if (!expanded.has(item.id)) return;
    item.children.forEach((c, i) => visit(c, i + 1, item.children.length, item.id));
  };
  visit(root, 1, 1, undefined);
  return rows;
}

/** Every node but the root, depth first, for the flat list mode (optionally filtered by a name/kind substring). */
export function flatNodes(root: TreeNode, filter = ''): TreeNode[] {
  const f = filter.trim().toLowerCase();
  const out: TreeNode[] = [];
  const visit = (item: TreeNode): void => {
    for (const c of item.children) {
      if (!f || c.node.name.toLowerCase().includes(f) || c.node.kind.toLowerCase().includes(f)) out.push(c);
      visit(c);
    }
  };
  visit(root);
  return out;
}

/** Ids of every node with children, for "expand all". */
export function allParents(root: TreeNode): Set<string> {
  const open = new Set<string>();
  const stack = [root];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (item.children.length > 0) open.add(item.id);
    stack.push(...item.children);
  }
  return open;
}
