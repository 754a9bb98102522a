// Import rules the build enforces (docs/architecture.md, "Layers"):
// `npm run lint:deps`, and scripts/test.ts right after eslint. Rules about
// layers apply to production code (tests may reach across to set things up);
// the cycle rule applies to everything, type-only imports included.
//
// Layers, lowest first; a module imports only from its own layer or below:
//   core, oci, config       leaves: nothing else from src/
//   platform                core, oci, config (db, observability, jobs, events)
//   storage                 + platform
//   audit                   + platform
//   access                  + audit
//   registry                + storage, access; never the delivery side, scanning or notifications
//   gitops (delivery)       + access; reaches the registry only through an interface
//   notify                  + access; subscribes to events, imported by no domain
//   supply-chain            + registry (reads images, attaches SBOM referrers); never gitops or notify
//   other domains           anything above, never http/ or cli/
//   http                    any domain; never cli/
//   cli                     any domain (shared validation and types); never http/
//   main.ts                 composes everything; imported only by cli/main.ts (`berth serve`)

const notTest = '\\.test\\.ts$';

/** A rule: production files under `from` import nothing from src/ outside `allowed`. */
function only(name, comment, from, allowed) {
  return {
    name,
    comment,
    severity: 'error',
    from: { path: from, pathNot: notTest },
    to: { path: '^src/', pathNot: `^src/(?:${allowed.join('|')})/` },
  };
}

const BOTTOM = ['core', 'oci', 'config'];

export default {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import cycles, type-only imports included: split the shared part into a lower module.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    only('leaves', 'core/, oci/ and config/ are leaves: they import nothing else from src/.', '^src/(core|oci|config)/', ['$1']),
    {
      name: 'domain-schema-leaf',
      comment: "A domain's table types (schema.ts) import nothing from src/ but core and oci, so platform/db/schema.ts can combine them without a cycle.",
      severity: 'error',
      from: { path: '^src/(?!platform/).*schema\\.ts$' },
      to: { path: '^src/', pathNot: '^src/(?:core|oci)/' },
    },
    {
      name: 'platform',
      comment: 'platform/ (db, observability, jobs, events) imports only core, oci, config and itself; platform/db/schema.ts may also combine the domains\' schema.ts files.',
      severity: 'error',
      from: { path: '^src/platform/', pathNot: [notTest, '^src/platform/db/schema\\.ts$'] },
      to: { path: '^src/', pathNot: `^src/(?:${[...BOTTOM, 'platform'].join('|')})/` },
    },
    {
      name: 'platform-db-schema',
      comment: 'platform/db/schema.ts only combines table types: it imports domain schema files and nothing else of the domains.',
      severity: 'error',
      from: { path: '^src/platform/db/schema\\.ts$' },
      to: { path: '^src/', pathNot: [`^src/(?:${[...BOTTOM, 'platform'].join('|')})/`, '^src/.+schema\\.ts$'] },
    },
    only('storage', 'storage/ imports only core, oci, config and platform.', '^src/storage/', [...BOTTOM, 'platform', 'storage']),
    only('audit', 'audit/ imports only core, oci, config and platform.', '^src/audit/', [...BOTTOM, 'platform', 'audit']),
    only(
      'access',
      'access/ (identity, projects, permissions) sits below the registry and the delivery side: it never imports them.',
      '^src/access/',
      [...BOTTOM, 'platform', 'audit', 'access'],
    ),
    only(
      'registry',
      'registry/ never imports the delivery side (gitops), scanning (supply-chain), notifications (notify), http/ or cli/.',
      '^src/registry/',
      [...BOTTOM, 'platform', 'storage', 'audit', 'access', 'registry'],
    ),
    only(
      'gitops',
      'The delivery side (gitops/) reaches the registry only through an interface it declares: no imports of registry/ or storage/.',
      '^src/gitops/',
      [...BOTTOM, 'platform', 'audit', 'access', 'gitops'],
    ),
    only(
      'supply-chain',
      'supply-chain/ (analyzer, SBOMs, vulnerability data, scanning) sits on the registry: it never imports the delivery side (gitops), notify, http/ or cli/.',
      '^src/supply-chain/',
      [...BOTTOM, 'platform', 'storage', 'audit', 'access', 'registry', 'supply-chain'],
    ),
    only(
      'notify',
      'notify/ (outgoing webhooks) subscribes to domain events: it imports platform, audit and access only, never the registry or the delivery side.',
      '^src/notify/',
      [...BOTTOM, 'platform', 'audit', 'access', 'notify'],
    ),
    {
      name: 'notify-is-a-leaf-domain',
      comment: 'No domain imports notify/: registry and delivery publish events, notify subscribes.',
      severity: 'error',
      from: { path: '^src/', pathNot: [notTest, '^src/(?:notify|http|cli)/', '^src/main\\.ts$'] },
      to: { path: '^src/notify/', pathNot: '^src/notify/schema\\.ts$' },
    },
    {
      name: 'domain-not-edge',
      comment: 'Domain code never imports the HTTP edge (http/) or the client (cli/): it throws DomainError and the edge maps it.',
      severity: 'error',
      from: { path: '^src/', pathNot: [notTest, '^src/(?:http|cli)/', '^src/main\\.ts$'] },
      to: { path: '^src/(?:http|cli)/' },
    },
    {
      name: 'http-not-cli',
      comment: 'The server edge never imports the client.',
      severity: 'error',
      from: { path: '^src/http/', pathNot: notTest },
      to: { path: '^src/cli/' },
    },
    {
      name: 'cli-not-http',
      comment: 'The client talks to the server over HTTP: it never imports http/ (berth serve goes through main.ts).',
      severity: 'error',
      from: { path: '^src/cli/', pathNot: notTest },
      to: { path: '^src/http/' },
    },
    {
      name: 'main-composes',
      comment: 'main.ts is the composition root: only cli/main.ts (berth serve) and tests import it.',
      severity: 'error',
      from: { path: '^src/', pathNot: [notTest, '^src/cli/main\\.ts$'] },
      to: { path: '^src/main\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(?:node_modules|bench/results)/' },
    // Type-only imports count: a cycle of types is still a cycle.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
