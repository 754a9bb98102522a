/** berth scanner …: external Pluggable Scanner API adapters and the scanner of a project. */
import { seg } from '../client.ts';
import { type CommandSpec, UsageError, bool, str } from '../framework.ts';
import { type Column, orDash, time, yesNo } from '../output.ts';
import { showList } from './common.ts';

interface Scanner {
  id: string;
  name: string;
  url: string;
  description: string;
  auth: string;
  has_credential: boolean;
  is_default: boolean;
  disabled: boolean;
  scanner: { name: string; vendor: string; version: string } | null;
  capabilities: { type: string; consumes_mime_types: string[]; produces_mime_types: string[] }[];
  created_by: string;
  created_at: number;
  updated_at: number;
}

interface ProjectScanner {
  engine: 'berth' | 'external';
  explicit: boolean;
  scanner: { name: string; url: string; scanner: { name: string; vendor: string; version: string } | null; disabled: boolean } | null;
}

const product = (s: Scanner['scanner']): string => (s ? `${s.name} ${s.version} (${s.vendor})` : '-');

const COLUMNS: Column<Scanner>[] = [
  { header: 'NAME', value: (s) => s.name },
  { header: 'URL', value: (s) => s.url },
  { header: 'SCANNER', value: (s) => product(s.scanner) },
  { header: 'AUTH', value: (s) => s.auth },
  { header: 'DEFAULT', value: (s) => yesNo(s.is_default) },
  { header: 'DISABLED', value: (s) => yesNo(s.disabled) },
  { header: 'DESCRIPTION', value: (s) => s.description },
];

const AUTHS = ['none', 'Basic', 'Bearer', 'X-ScannerAdapter-API-Key'];

const scannerList: CommandSpec = {
  words: ['scanner', 'list'],
  args: '',
  summary: 'List the external scanner adapters registered with Berth (administrators)',
  positionals: [0, 0],
  examples: ['berth scanner list', 'berth scanner list -o json'],
  async run(ctx) {
    showList(ctx, await ctx.client().get<Scanner[]>('/scanners'), COLUMNS, 'scanners');
  },
};

const scannerAdd: CommandSpec = {
  words: ['scanner', 'add'],
  args: 'NAME --url URL [--auth none|Basic|Bearer|X-ScannerAdapter-API-Key] [--credential-stdin] [--default] [--description TEXT]',
  summary: 'Register a Pluggable Scanner API adapter (administrators)',
  details: [
    'URL is the adapter base: its API is under URL/api/v1 (for a Berth serving its scanner,',
    'https://berth.example/scanner-adapter). Berth asks the adapter for its metadata before',
    'storing the registration. The credential (user:password for Basic, the token for Bearer,',
    'the key for X-ScannerAdapter-API-Key) is read from standard input, never from the command line.',
  ].join('\n'),
  options: {
    url: { type: 'string', value: 'URL', help: 'the adapter base URL' },
    auth: { type: 'string', value: 'SCHEME', help: `how Berth authenticates to the adapter: ${AUTHS.join(', ')} (default none)` },
    'credential-stdin': { type: 'boolean', help: 'read the credential from standard input' },
    default: { type: 'boolean', help: 'make it the scanner of projects without their own choice' },
    description: { type: 'string', value: 'TEXT', help: 'what the scanner is' },
  },
  positionals: [1, 1],
  examples: [
    'berth scanner add trivy --url http://trivy-adapter:8080',
    "printf %s \"$TOKEN\" | berth scanner add other-berth --url https://other.example/scanner-adapter --auth Bearer --credential-stdin --default",
  ],
  async run(ctx) {
    const url = str(ctx.values, 'url');
    if (url === undefined) throw new UsageError('give the adapter URL with --url', ctx.spec);
    const auth = str(ctx.values, 'auth') ?? 'none';
    if (!AUTHS.includes(auth)) throw new UsageError(`--auth is one of ${AUTHS.join(', ')}`, ctx.spec);
    let credential: string | undefined;
    if (bool(ctx.values, 'credential-stdin') === true) {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      credential = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
      if (credential === '') throw new UsageError('standard input held no credential', ctx.spec);
    }
    if (auth !== 'none' && credential === undefined) throw new UsageError(`--auth ${auth} needs --credential-stdin`, ctx.spec);
    const description = str(ctx.values, 'description');
    const body = {
      name: ctx.positionals[0]!,
      url,
      auth,
      ...(credential !== undefined ? { access_credential: credential } : {}),
      ...(bool(ctx.values, 'default') === true ? { is_default: true } : {}),
      ...(description !== undefined ? { description } : {}),
    };
    const s = (await ctx.client().post<Scanner>('/scanners', body)).data;
    if (ctx.out.json) return ctx.out.printJson(s);
    ctx.out.details([
      ['name', s.name],
      ['url', s.url],
      ['scanner', product(s.scanner)],
      ['capabilities', s.capabilities.map((c) => `${c.type}: ${c.produces_mime_types.join(', ')}`).join('\n')],
      ['default', yesNo(s.is_default)],
      ['description', orDash(s.description)],
      ['created', time(s.created_at)],
    ]);
  },
};

const scannerRemove: CommandSpec = {
  words: ['scanner', 'remove'],
  args: 'NAME',
  summary: "Remove an adapter; its projects go back to the default scanner (administrators)",
  positionals: [1, 1],
  examples: ['berth scanner remove trivy'],
  async run(ctx) {
    await ctx.client().delete(`/scanners/${seg(ctx.positionals[0]!)}`);
    if (!ctx.out.json) ctx.out.line(`Removed scanner ${ctx.positionals[0]!}.`);
  },
};

const scannerUse: CommandSpec = {
  words: ['scanner', 'use'],
  args: 'NAME|berth|default (--project PROJECT | --default)',
  summary: "Choose the scanner of a project, or the default of all projects",
  details: [
    'With --project: NAME scans that project from now on (project administrators); `default`',
    "puts the project back on the default. With --default (administrators): NAME becomes the",
    "default of projects without their own choice; `berth` makes Berth's own scanner the default.",
  ].join('\n'),
  options: {
    project: { type: 'string', short: 'p', value: 'PROJECT', help: 'the project' },
    default: { type: 'boolean', help: 'set the default scanner instead' },
  },
  positionals: [1, 1],
  examples: ['berth scanner use trivy --project team', 'berth scanner use default --project team', 'berth scanner use berth --default'],
  async run(ctx) {
    const name = ctx.positionals[0]!;
    const project = str(ctx.values, 'project');
    const asDefault = bool(ctx.values, 'default') === true;
    if ((project !== undefined) === asDefault) throw new UsageError('give either --project PROJECT or --default', ctx.spec);
    if (asDefault) {
      await ctx.client().put('/scanners/default', { scanner: name === 'berth' ? null : name });
      if (!ctx.out.json) ctx.out.line(name === 'berth' ? "Projects without their own choice use Berth's own scanner." : `Projects without their own choice use ${name}.`);
      return;
    }
    const res = (await ctx.client().put<ProjectScanner>(`/projects/${seg(project!)}/scanner`, { scanner: name === 'default' ? null : name })).data;
    if (ctx.out.json) return ctx.out.printJson(res);
    ctx.out.line(`Project ${project!} scans with ${res.scanner ? res.scanner.name : "Berth's own scanner"}${res.explicit ? '' : ' (the default)'}.`);
  },
};

export const scannerCommands: CommandSpec[] = [scannerList, scannerAdd, scannerRemove, scannerUse];
