/** berth user … (administrators, except `passwd` for oneself) and berth token … */
import { type Client, seg } from '../client.ts';
import { tokenId, writeConfig } from '../config.ts';
import { type CommandSpec, type Ctx, UsageError, bool, int, str } from '../framework.ts';
import { type Column, orDash, time, yesNo } from '../output.ts';
import { interactive, newPassword, promptHidden, readStdinLines } from '../prompt.ts';
import { type ApiToken, LIST_OPTIONS, type User, listQuery, showList } from './common.ts';

const USER_COLUMNS: Column<User>[] = [
  { header: 'USERNAME', value: (u) => u.username },
  { header: 'EMAIL', value: (u) => orDash(u.email) },
  { header: 'ADMIN', value: (u) => yesNo(u.admin) },
  { header: 'SOURCE', value: (u) => u.source },
  { header: 'DISABLED', value: (u) => yesNo(u.disabled) },
  { header: 'CREATED', value: (u) => time(u.createdAt) },
];

function showUser(ctx: Ctx, u: User): void {
  if (ctx.out.json) return ctx.out.printJson(u);
  ctx.out.details([
    ['username', u.username],
    ['email', orDash(u.email)],
    ['admin', yesNo(u.admin)],
    ['source', u.source],
    ['disabled', yesNo(u.disabled)],
    ['groups', u.groups.length > 0 ? u.groups.join(', ') : '-'],
    ['created', time(u.createdAt)],
    ['updated', time(u.updatedAt)],
  ]);
}

const userList: CommandSpec = {
  words: ['user', 'list'],
  args: '[-q FILTER] [--sort FIELDS] [--page N] [--page-size N]',
  summary: 'List users',
  details: 'Filter keys: username, email, admin. Sort fields: username, email, created.',
  options: LIST_OPTIONS,
  positionals: [0, 0],
  examples: ['berth user list', 'berth user list -q username=~ali --sort -created', 'berth user list -q admin=true -o json'],
  async run(ctx) {
    const query = listQuery(ctx);
    showList(ctx, await ctx.client().get<User[]>('/users', query), USER_COLUMNS, 'users', query);
  },
};

const userGet: CommandSpec = {
  words: ['user', 'get'],
  args: 'USERNAME',
  summary: 'Show a user',
  positionals: [1, 1],
  examples: ['berth user get alice'],
  async run(ctx) {
    showUser(ctx, (await ctx.client().get<User>(`/users/${seg(ctx.positionals[0]!)}`)).data);
  },
};

const userCreate: CommandSpec = {
  words: ['user', 'create'],
  args: 'USERNAME [--email EMAIL] [--admin] [--password-stdin]',
  summary: 'Create a local user',
  details: 'The password is prompted for twice on a terminal, or read from stdin with --password-stdin.',
  options: {
    email: { type: 'string', value: 'EMAIL', help: 'e-mail address' },
    admin: { type: 'boolean', help: 'make the user a system administrator' },
    'password-stdin': { type: 'boolean', help: 'read the password from stdin' },
  },
  positionals: [1, 1],
  examples: ['berth user create alice --email alice@example.com', 'printf "%s\\n" "$PW" | berth user create ci-bot --password-stdin'],
  async run(ctx) {
    const password = await newPassword(bool(ctx.values, 'password-stdin') === true, 'Password');
    const email = str(ctx.values, 'email');
    const body = { username: ctx.positionals[0]!, password, ...(email ? { email } : {}), ...(bool(ctx.values, 'admin') ? { admin: true } : {}) };
    const res = await ctx.client().post<User>('/users', body);
    if (ctx.out.json) return ctx.out.printJson(res.data);
    ctx.out.line(`Created user ${res.data.username}${res.data.admin ? ' (administrator)' : ''}.`);
  },
};

const userUpdate: CommandSpec = {
  words: ['user', 'update'],
  args: 'USERNAME [--email EMAIL] [--admin | --no-admin] [--disable | --enable]',
  summary: "Change a user's e-mail, administrator flag or disabled state",
  options: {
    email: { type: 'string', value: 'EMAIL', help: "new e-mail address ('' to clear)" },
    admin: { type: 'boolean', negatable: true, help: 'grant (--admin) or take away (--no-admin) administration' },
    disable: { type: 'boolean', help: 'disable the account: sign-in, tokens and sessions stop working' },
    enable: { type: 'boolean', help: 'enable the account again' },
  },
  positionals: [1, 1],
  examples: ['berth user update alice --admin', 'berth user update bob --disable', "berth user update carol --email ''"],
  async run(ctx) {
    const { values } = ctx;
    if (bool(values, 'disable') && bool(values, 'enable')) throw new UsageError('give --disable or --enable, not both', ctx.spec);
    const body: Record<string, unknown> = {};
    const email = str(values, 'email');
    if (email !== undefined) body.email = email === '' ? null : email;
    if (bool(values, 'admin') !== undefined) body.admin = bool(values, 'admin');
    if (bool(values, 'disable')) body.disabled = true;
    if (bool(values, 'enable')) body.disabled = false;
    if (Object.keys(body).length === 0) throw new UsageError('nothing to change: give --email, --admin/--no-admin, --disable or --enable', ctx.spec);
    const res = await ctx.client().put<User>(`/users/${seg(ctx.positionals[0]!)}`, body);
    if (ctx.out.json) return ctx.out.printJson(res.data);
    ctx.out.line(`Updated user ${res.data.username}.`);
  },
};

const userDelete: CommandSpec = {
  words: ['user', 'delete'],
  args: 'USERNAME',
  summary: 'Delete a user (their memberships and tokens go with them)',
  positionals: [1, 1],
  examples: ['berth user delete bob'],
  async run(ctx) {
    const name = ctx.positionals[0]!;
    await ctx.client().delete(`/users/${seg(name)}`);
    if (!ctx.out.json) ctx.out.line(`Deleted user ${name}.`);
  },
};

const userPasswd: CommandSpec = {
  words: ['user', 'passwd'],
  args: '[USERNAME] [--password-stdin]',
  summary: "Change your password, or reset another user's (administrators)",
  details: [
    'Without USERNAME: change your own password; the current one is asked for first.',
    'With --password-stdin, stdin holds the current password on the first line and the new one',
    'on the second (for a reset of another user: just the new one).',
  ].join('\n'),
  options: { 'password-stdin': { type: 'boolean', help: 'read the passwords from stdin, one per line' } },
  positionals: [0, 1],
  examples: ['berth user passwd', 'berth user passwd alice', 'printf "%s\\n%s\\n" "$OLD" "$NEW" | berth user passwd --password-stdin'],
  async run(ctx) {
    const fromStdin = bool(ctx.values, 'password-stdin') === true;
    const target = ctx.positionals[0];
    const client = ctx.client();
    if (target !== undefined) {
      const password = await newPassword(fromStdin);
      await client.put(`/users/${seg(target)}/password`, { newPassword: password });
      if (!ctx.out.json) ctx.out.line(`Reset the password of ${target}.`);
      return;
    }
    let oldPassword: string;
    let password: string;
    if (fromStdin) {
      if (interactive()) throw new UsageError('--password-stdin reads from a pipe: run without it to be prompted', ctx.spec);
      const lines = await readStdinLines();
      if (lines.length < 2 || !lines[0] || !lines[1]) throw new UsageError('stdin must hold the current password and the new one, one per line', ctx.spec);
      [oldPassword, password] = [lines[0], lines[1]];
    } else {
      if (!interactive()) throw new UsageError('stdin is not a terminal: use --password-stdin', ctx.spec);
      oldPassword = await promptHidden('Current password');
      password = await newPassword(false);
    }
    await client.put('/users/me/password', { oldPassword, newPassword: password });
    if (!ctx.out.json) ctx.out.line('Changed your password. Your API tokens keep working; revoke them with berth token revoke if needed.');
  },
};

const TOKEN_COLUMNS = (current: string | undefined): Column<ApiToken>[] => [
  { header: 'ID', value: (t) => t.id },
  { header: 'NAME', value: (t) => t.name },
  { header: 'CREATED', value: (t) => time(t.createdAt) },
  { header: 'EXPIRES', value: (t) => time(t.expiresAt, 'never') },
  { header: 'LAST USED', value: (t) => time(t.lastUsedAt, 'never') },
  { header: 'IN USE', value: (t) => (t.id === current ? 'this CLI' : '') },
];

function currentTokenId(ctx: Ctx): string | undefined {
  return ctx.settings.token ? tokenId(ctx.settings.token) : undefined;
}

const tokenList: CommandSpec = {
  words: ['token', 'list'],
  args: '',
  summary: 'List your personal API tokens',
  positionals: [0, 0],
  examples: ['berth token list'],
  async run(ctx) {
    showList(ctx, await ctx.client().get<ApiToken[]>('/users/me/tokens'), TOKEN_COLUMNS(currentTokenId(ctx)), 'tokens');
  },
};

const tokenCreate: CommandSpec = {
  words: ['token', 'create'],
  args: 'NAME [--expires-in DAYS]',
  summary: 'Create a personal API token (shown once)',
  details: 'Use the token as `Authorization: Bearer` on /api/v1, as BERTH_TOKEN, or as the password of registry clients.',
  options: { 'expires-in': { type: 'string', value: 'DAYS', help: 'expire after DAYS days (default: never)' } },
  positionals: [1, 1],
  examples: ['berth token create laptop', 'berth token create ci --expires-in 90 -o json'],
  async run(ctx) {
    const days = int(ctx, 'expires-in', 1, 36_500);
    const res = await ctx.client().post<ApiToken & { secret: string }>('/users/me/tokens', { name: ctx.positionals[0]!, ...(days !== undefined ? { expiresInDays: days } : {}) });
    if (ctx.out.json) return ctx.out.printJson(res.data);
    const t = res.data;
    ctx.out.details([
      ['id', t.id],
      ['name', t.name],
      ['expires', time(t.expiresAt, 'never')],
      ['token', t.secret],
    ]);
    ctx.out.warn('Copy the token now: Berth shows it only once.');
  },
};

async function resolveTokenId(client: Client, arg: string): Promise<string> {
  if (/^[0-9a-f]{32}$/.test(arg)) return arg;
  const fromToken = tokenId(arg);
  if (fromToken) return fromToken;
  const matches = (await client.get<ApiToken[]>('/users/me/tokens')).data.filter((t) => t.name === arg);
  if (matches.length === 1) return matches[0]!.id;
  if (matches.length === 0) return arg; // let the server say it is not found
  throw new UsageError(`${matches.length} tokens are named ${JSON.stringify(arg)}: give the ID (berth token list)`);
}

const tokenRevoke: CommandSpec = {
  words: ['token', 'revoke'],
  args: 'ID|NAME',
  summary: 'Revoke one of your personal API tokens',
  details: 'Revoking the token this CLI uses also removes it from the config file (like berth logout).',
  positionals: [1, 1],
  examples: ['berth token revoke 0f3c9a51d2e84b7c9a1f6e2d3c4b5a69', 'berth token revoke laptop'],
  async run(ctx) {
    const client = ctx.client();
    const id = await resolveTokenId(client, ctx.positionals[0]!);
    await client.delete(`/users/me/tokens/${seg(id)}`);
    const { stored, file, tokenSource } = ctx.settings;
    const dropped = tokenSource === 'file' && stored.token !== undefined && tokenId(stored.token) === id;
    if (dropped) await writeConfig(file, { ...stored, token: undefined });
    if (!ctx.out.json) ctx.out.line(`Revoked token ${id}.${dropped ? ' It was the token of this CLI: run berth login to sign in again.' : ''}`);
  },
};

export const userCommands: CommandSpec[] = [userList, userGet, userCreate, userUpdate, userDelete, userPasswd];
export const tokenCommands: CommandSpec[] = [tokenList, tokenCreate, tokenRevoke];
