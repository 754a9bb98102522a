import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deliveryPolicySchema, type DeliveryPolicy } from '../model.ts';
import { destinationAllowed, globMatch, resourceAllowed, sourceRepoAllowed } from './policy.ts';
import { normalizeRepoUrl } from './repositories.ts';

const policy = (p: Partial<DeliveryPolicy>): DeliveryPolicy => deliveryPolicySchema.parse(p);

test('globs: * spans anything, ? one character, the rest literal', () => {
  assert.ok(globMatch('*', ''));
  assert.ok(globMatch('https://github.com/org/*', 'https://github.com/org/a/b'));
  assert.ok(globMatch('team-?', 'team-a'));
  assert.ok(!globMatch('team-?', 'team-ab'));
  assert.ok(!globMatch('a.b', 'axb'), 'dots are literal');
  assert.ok(!globMatch('apps', 'apps-x'), 'whole string');
});

test('repository URLs compare normalized', () => {
  assert.equal(normalizeRepoUrl('https://GitHub.com/Org/Repo.git/'), 'https://github.com/org/repo');
  assert.equal(normalizeRepoUrl('git@github.com:org/repo.git'), 'ssh://github.com/org/repo');
  assert.equal(normalizeRepoUrl('ssh://git@github.com:22/org/repo'), 'ssh://github.com/org/repo');
  const p = policy({ sourceRepos: ['https://github.com/org/*', '!https://github.com/org/secret'] });
  assert.ok(sourceRepoAllowed(p, 'https://github.com/org/app.git'));
  assert.ok(!sourceRepoAllowed(p, 'https://github.com/org/secret'), 'a ! pattern denies');
  assert.ok(!sourceRepoAllowed(p, 'https://github.com/other/app'));
  assert.ok(sourceRepoAllowed(policy({ sourceRepos: ['*'] }), 'git@host:x/y'));
  assert.ok(!sourceRepoAllowed(policy({}), 'https://github.com/org/app'), 'no sourceRepos: nothing');
});

test('destinations: server or name glob and namespace glob; an entry with neither matches nothing', () => {
  const p = policy({ destinations: [{ name: 'prod', namespace: 'team-*' }, { server: 'https://dev.example:6443', namespace: '*' }, { namespace: '*' }] });
  assert.ok(destinationAllowed(p, { name: 'prod', server: 'https://p:6443', namespace: 'team-a' }));
  assert.ok(!destinationAllowed(p, { name: 'prod', server: 'https://p:6443', namespace: 'kube-system' }));
  assert.ok(destinationAllowed(p, { name: 'dev', server: 'https://dev.example:6443', namespace: 'anything' }));
  assert.ok(!destinationAllowed(p, { name: 'other', server: 'https://o:6443', namespace: 'x' }));
  const deny = policy({ destinations: [{ server: '*', namespace: '*' }, { server: '*', namespace: '!kube-system' }] });
  assert.ok(destinationAllowed(deny, { name: 'a', server: 's', namespace: 'apps' }));
  assert.ok(!destinationAllowed(deny, { name: 'a', server: 's', namespace: 'kube-system' }));
});

test('resourceAllowed follows Argo CD: cluster-scoped kinds need a whitelist entry', () => {
  const none = policy({});
  assert.ok(!resourceAllowed(none, '', 'Namespace', false));
  assert.ok(resourceAllowed(none, 'apps', 'Deployment', true));
  const p = policy({
    clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }, { group: 'rbac.authorization.k8s.io', kind: '*' }],
    clusterResourceBlacklist: [{ group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' }],
    namespaceResourceBlacklist: [{ group: '', kind: 'ResourceQuota' }],
  });
  assert.ok(resourceAllowed(p, '', 'Namespace', false));
  assert.ok(resourceAllowed(p, 'rbac.authorization.k8s.io', 'ClusterRole', false));
  assert.ok(!resourceAllowed(p, 'rbac.authorization.k8s.io', 'ClusterRoleBinding', false), 'blacklist wins');
  assert.ok(!resourceAllowed(p, 'apiextensions.k8s.io', 'CustomResourceDefinition', false));
  assert.ok(!resourceAllowed(p, '', 'ResourceQuota', true));
  assert.ok(resourceAllowed(p, '', 'ConfigMap', true));
  const wl = policy({ namespaceResourceWhitelist: [{ group: 'apps', kind: '*' }] });
  assert.ok(resourceAllowed(wl, 'apps', 'StatefulSet', true));
  assert.ok(!resourceAllowed(wl, '', 'Secret', true), 'a whitelist without the kind refuses it');
  assert.ok(!resourceAllowed(policy({ namespaceResourceWhitelist: [] }), '', 'ConfigMap', true), 'an empty whitelist refuses everything');
  assert.ok(resourceAllowed(policy({ clusterResourceWhitelist: [{ group: '*', kind: '*' }] }), 'x.io', 'Y', false));
});
