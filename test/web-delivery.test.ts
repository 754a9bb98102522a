/**
 * Unit tests of the delivery views' pure modules (web/src/delivery, no DOM): the resource
 * tree's model (linking by parentRefs, default expansion, visible rows for a 1,500-node tree),
 * the unified diff parser, the applications list's URL filters and the tree's live details.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { diffStats, parseUnifiedDiff } from '../web/src/delivery/diff.ts';
import { apiQuery, readFilters, writeFilters } from '../web/src/delivery/filters.ts';
import { infoEntries, infoSummary } from '../web/src/delivery/info.ts';
import { allParents, buildTree, countNodes, defaultExpanded, flatNodes, type TreeNodeInput, visibleRows } from '../web/src/delivery/tree.ts';

const root: TreeNodeInput = { group: 'berth.dev', kind: 'Application', namespace: '', name: 'app' };
const deployment = { group: 'apps', kind: 'Deployment', namespace: 'ns', name: 'web', uid: 'd1', managed: true };

/** A Deployment with `sets` ReplicaSets of `pods` Pods each, a Service and a ConfigMap. */
function bigApp(sets: number, pods: number): TreeNodeInput[] {
  const nodes: TreeNodeInput[] = [deployment, { group: '', kind: 'Service', namespace: 'ns', name: 'web', uid: 's1', managed: true }, { group: '', kind: 'ConfigMap', namespace: 'ns', name: 'cfg', managed: true }];
  for (let r = 0; r < sets; r++) {
    nodes.push({ group: 'apps', kind: 'ReplicaSet', namespace: 'ns', name: `web-${r}`, uid: `r${r}`, parentRefs: [{ group: 'apps', kind: 'Deployment', namespace: 'ns', name: 'web', uid: 'd1' }] });
    // Pods name their parent without a uid: linked by identity.
    for (let p = 0; p < pods; p++) nodes.push({ group: '', kind: 'Pod', namespace: 'ns', name: `web-${r}-${p}`, uid: `p${r}-${p}`, parentRefs: [{ group: 'apps', kind: 'ReplicaSet', namespace: 'ns', name: `web-${r}` }] });
  }
  return nodes;
}

describe('delivery views: resource tree model', () => {
  test('children hang off their parents (uid or identity); orphans off the root; kinds in Argo CD order', () => {
    const tree = buildTree(root, [...bigApp(1, 2), { group: '', kind: 'Pod', namespace: 'ns', name: 'lost', parentRefs: [{ group: 'apps', kind: 'ReplicaSet', namespace: 'ns', name: 'gone' }] }]);
    assert.deepEqual(
      tree.children.map((c) => `${c.node.kind}/${c.node.name}`),
      ['ConfigMap/cfg', 'Service/web', 'Deployment/web', 'Pod/lost'],
    );
    const rs = tree.children[2]!.children[0]!;
    assert.equal(rs.node.name, 'web-0');
    assert.deepEqual(rs.children.map((c) => c.node.name), ['web-0-0', 'web-0-1']);
    assert.equal(rs.children[0]!.depth, 3);
    assert.equal(countNodes(tree), 8);
  });

  test('a parent cycle in bad data does not loop', () => {
    const a = { group: '', kind: 'A', namespace: '', name: 'a', uid: 'a', parentRefs: [{ group: '', kind: 'B', namespace: '', name: 'b', uid: 'b' }] };
    const b = { group: '', kind: 'B', namespace: '', name: 'b', uid: 'b', parentRefs: [{ group: '', kind: 'A', namespace: '', name: 'a', uid: 'a' }] };
    const tree = buildTree(root, [a, b]);
    assert.ok(countNodes(tree) <= 3);
  });

  test('1,500 nodes: collapsed below the managed resources, a handful of rows; expand all shows every row', () => {
    const tree = buildTree(root, bigApp(3, 500));
    const total = countNodes(tree);
    assert.equal(total, 1507);
    const rows = visibleRows(tree, defaultExpanded(tree, total));
    assert.deepEqual(rows.map((r) => r.item.node.name), ['app', 'cfg', 'web', 'web', 'web-0', 'web-1', 'web-2']);
    assert.deepEqual(rows.slice(4).map((r) => [r.depth, r.pos, r.size, r.parentId]), [[2, 1, 3, 'uid:d1'], [2, 2, 3, 'uid:d1'], [2, 3, 3, 'uid:d1']]);
    assert.equal(visibleRows(tree, allParents(tree)).length, 1507);
    // Natural order: web-0-10 after web-0-9.
    const pods = tree.children[2]!.children[0]!.children.map((c) => c.node.name);
    assert.deepEqual(pods.slice(8, 11), ['web-0-8', 'web-0-9', 'web-0-10']);
  });

  test('small trees start fully open; the flat list filters by kind or name', () => {
    const tree = buildTree(root, bigApp(1, 3));
    assert.equal(visibleRows(tree, defaultExpanded(tree, countNodes(tree))).length, countNodes(tree));
    assert.deepEqual(flatNodes(tree, 'WEB-0-').map((n) => n.node.name), ['web-0-0', 'web-0-1', 'web-0-2']);
    assert.equal(flatNodes(tree, 'replicaset').length, 1);
  });
});

describe('delivery views: diff, filters, details', () => {
  test('a unified diff becomes numbered added, removed and context lines', () => {
    const lines = parseUnifiedDiff('--- live/x\n+++ desired/x\n@@ -4,3 +4,3 @@\n spec:\n-  replicas: 1\n+  replicas: 3\n   selector: {}\n');
    assert.deepEqual(
      lines.map((l) => [l.kind, l.old, l.new, l.text]),
      [
        ['meta', undefined, undefined, '--- live/x'],
        ['meta', undefined, undefined, '+++ desired/x'],
        ['hunk', undefined, undefined, '@@ -4,3 +4,3 @@'],
        ['ctx', 4, 4, 'spec:'],
        ['del', 5, undefined, '  replicas: 1'],
        ['add', undefined, 5, '  replicas: 3'],
        ['ctx', 6, 6, '  selector: {}'],
      ],
    );
    assert.deepEqual(diffStats(lines), { added: 1, removed: 1 });
    assert.deepEqual(parseUnifiedDiff(''), []);
  });

  test('list filters round-trip through the URL; a filter change goes back to page 1', () => {
    const f = readFilters(new URLSearchParams('project=team&health=Degraded&page=3&page_size=1000&q=web'));
    assert.equal(f.pageSize, 100);
    assert.equal(writeFilters(f, { sync: 'OutOfSync' }).toString(), 'project=team&sync=OutOfSync&health=Degraded&q=web&page_size=100');
    assert.equal(writeFilters(f, { page: 4 }).get('page'), '4');
    assert.deepEqual(apiQuery(f), { page: 3, page_size: 100, project: 'team', health: 'Degraded', q: 'name=~web' });
    assert.deepEqual(readFilters(new URLSearchParams('page=-2')), { project: '', cluster: '', namespace: '', sync: '', health: '', q: '', page: 1, pageSize: 25 });
  });

  test('live details read as labels and a short row summary', () => {
    assert.equal(infoSummary({ replicas: { ready: 2, desired: 3 } }), '2/3');
    assert.equal(infoSummary({ podPhase: 'Running', ready: '1/1', restarts: 2 }), 'Running · ready 1/1 · 2 restarts');
    assert.equal(infoSummary(undefined), '');
    assert.deepEqual(infoEntries({ images: ['a:1', 'b:2'], restarts: 0 }), [
      ['Restarts', '0'],
      ['Images', 'a:1, b:2'],
    ]);
  });
});
