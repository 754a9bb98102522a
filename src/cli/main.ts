#!/usr/bin/env node
/**
 * The `berth` command. `berth serve` runs the server; the other commands are
 * clients of a running Berth's /api/v1 (see docs/cli.md).
 */
import { parseArgs } from 'node:util';
import pkg from '../../package.json' with { type: 'json' };
import { ApiError, Client } from './client.ts';
import { appCommands, projectDeliveryCommands } from './commands/apps.ts';
import { artifactCommands } from './commands/artifacts.ts';
import { authCommands } from './commands/auth.ts';
import { clusterCommands } from './commands/clusters.ts';
import { jobCommands } from './commands/jobs.ts';
import { gitrepoCommands } from './commands/gitrepo.ts';
import { memberCommands, projectCommands } from './commands/projects.ts';
import { repositoryCommands } from './commands/repositories.ts';
import { robotCommands } from './commands/robots.ts';
import { scanCommands } from './commands/scan.ts';
import { scannerCommands } from './commands/scanners.ts';
import { auditCommands, settingsCommands } from './commands/system.ts';
import { tokenCommands, userCommands } from './commands/users.ts';
import { webhookCommands } from './commands/webhooks.ts';
import { loadSettings } from './config.ts';
import type { CommandUsage } from './errors.ts';
import { type CommandSpec, type Ctx, CliError, UsageError, commandHelp, groupHelp, parseCommand, str, usageLine } from './framework.ts';
import { Output } from './output.ts';

interface Group {
  name: string;
  summary: string;
  commands: CommandSpec[];
}

const GROUPS: Group[] = [
  { name: 'user', summary: 'Manage users (administrators) and your password', commands: userCommands },
  { name: 'token', summary: 'Manage your personal API tokens', commands: tokenCommands },
  { name: 'project', summary: 'Manage projects and their delivery policies', commands: [...projectCommands, ...projectDeliveryCommands] },
  { name: 'member', summary: 'Manage project members (users and OIDC groups)', commands: memberCommands },
  { name: 'robot', summary: 'Manage robot accounts', commands: robotCommands },
  { name: 'scanner', summary: 'External scanner adapters (Pluggable Scanner API) and the scanner of a project', commands: scannerCommands },
  { name: 'repository', summary: "Browse and delete a project's registry repositories", commands: repositoryCommands },
  { name: 'artifact', summary: 'Browse, tag, untag, delete and copy artifacts', commands: artifactCommands },
  { name: 'app', summary: 'Manage GitOps applications: create, sync, diff, history, rollback', commands: appCommands },
  { name: 'cluster', summary: 'Manage the clusters applications deploy to (administrators)', commands: clusterCommands },
  { name: 'gitrepo', summary: 'Manage the Git repositories applications read, and their credentials (administrators)', commands: gitrepoCommands },
  { name: 'settings', summary: 'Read and change system settings (administrators)', commands: settingsCommands },
  { name: 'audit', summary: 'Query the audit log', commands: auditCommands },
  { name: 'jobs', summary: 'Inspect, retry and cancel background jobs (administrators)', commands: jobCommands },
  { name: 'webhook', summary: "Manage a project's outgoing webhooks: policies, delivery log, test events", commands: webhookCommands },
];

const HELP = `berth — secure OCI registry and GitOps delivery

Usage:
  berth serve [--config FILE]   Run the server (see docs/configuration.md)
  berth version                 Print the version
  berth help [COMMAND]          Show this help, or a command's

Client commands (see docs/cli.md):
  berth login                   Sign in to a server and store an API token
  berth logout                  Revoke the stored token and forget it
  berth whoami                  Show the signed-in account
  berth scan IMAGE [--wait]     Scan an image (--repository R, --all) for vulnerabilities
  berth vulns IMAGE             List an image's vulnerabilities (--severity, --fixable)
  berth sbom IMAGE              Download an image's SBOM (--format cyclonedx|spdx, -f FILE)
${GROUPS.map((g) => `  berth ${g.name.padEnd(24)}${g.summary}`).join('\n')}

Global options: --server URL, -o/--output table|json, -h/--help.
The client keeps { server, username, token } in BERTH_CLI_CONFIG or
$XDG_CONFIG_HOME/berth/config.json (mode 0600); BERTH_SERVER and BERTH_TOKEN
override it.

Configuration of the server comes from defaults, then the YAML file given by
--config or BERTH_CONFIG, then BERTH_* environment variables.
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve(rest);
    case 'version':
    case '--version':
      process.stdout.write(`berth ${pkg.version}\n`);
      return 0;
    case undefined:
    case '--help':
    case '-h':
      process.stdout.write(HELP);
      return 0;
    case 'help':
      return help(rest);
    default:
      return client(argv);
  }
}

function help(words: string[]): number {
  if (words.length === 0) {
    process.stdout.write(HELP);
    return 0;
  }
  const found = resolve(words);
  if ('spec' in found) process.stdout.write(commandHelp(found.spec));
  else if ('group' in found) process.stdout.write(groupHelp(found.group.name, found.group.summary, found.group.commands));
  else return usageFailure(found.error, undefined);
  return 0;
}

type Resolved = { spec: CommandSpec; rest: string[] } | { group: Group; error?: string } | { error: string };

function resolve(words: string[]): Resolved {
  const [first, second, ...rest] = words;
  const single = [...authCommands, ...scanCommands].find((c) => c.words[0] === first);
  if (single) return { spec: single, rest: words.slice(1) };
  const group = GROUPS.find((g) => g.name === first);
  if (!group) return { error: `unknown command ${JSON.stringify(first)}` };
  if (second === undefined || second.startsWith('-')) return { group };
  const spec = group.commands.find((c) => c.words[1] === second);
  if (!spec) return { group, error: `unknown command "${group.name} ${second}"` };
  return { spec, rest };
}

/** Global options given before the command move after it: `berth -o json project list`. */
function hoistGlobals(argv: string[]): { words: string[]; command: string | undefined } | undefined {
  const globals: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('-')) break;
    if (a === '--server' || a === '--output' || a === '-o') {
      if (argv[i + 1] === undefined) break;
      globals.push(a, argv[++i]!);
    } else if (a.startsWith('--server=') || a.startsWith('--output=')) globals.push(a);
    else if (a === '--help' || a === '-h') return undefined;
    else break;
  }
  return { words: [...argv.slice(i), ...globals], command: argv[i] };
}

async function client(argv: string[]): Promise<number> {
  const hoisted = hoistGlobals(argv);
  if (!hoisted) {
    process.stdout.write(HELP);
    return 0;
  }
  const words = hoisted.words;
  if (hoisted.command === undefined) return usageFailure('missing command', undefined);
  if (words[0]?.startsWith('-')) return usageFailure(`unknown option ${JSON.stringify(words[0])}`, undefined);
  const found = resolve(words);
  if (!('spec' in found)) {
    if ('group' in found) {
      const text = groupHelp(found.group.name, found.group.summary, found.group.commands);
      if (!found.error && words.slice(1).some((w) => w === '--help' || w === '-h')) {
        process.stdout.write(text);
        return 0;
      }
      process.stderr.write(`berth: ${found.error ?? `missing command after "${found.group.name}"`}\n\n${text}`);
      return 2;
    }
    return usageFailure(found.error, undefined);
  }
  const spec = found.spec;
  let ctx: Ctx | undefined;
  try {
    const { values, positionals } = parseCommand(spec, found.rest);
    if (values.help === true) {
      process.stdout.write(commandHelp(spec));
      return 0;
    }
    const settings = await loadSettings(str(values, 'server'));
    const out = new Output(values.output === 'json' ? 'json' : 'table');
    ctx = {
      values,
      positionals,
      out,
      settings,
      spec,
      client(opts = {}) {
        if (!settings.server) throw new CliError('no server: run berth login --server URL, or set BERTH_SERVER');
        return Client.bearer(settings.server, opts.auth === false ? undefined : settings.token);
      },
    };
    return (await spec.run(ctx)) ?? 0;
  } catch (err) {
    if (err instanceof UsageError) return usageFailure(err.message, err.spec ?? spec);
    if (err instanceof ApiError) {
      process.stderr.write(`berth: ${err.message}\n`);
      if (err.status === 401 && spec.words[0] !== 'login') {
        process.stderr.write(ctx?.settings.token ? 'berth: the stored credentials were refused: run berth login again\n' : 'berth: not logged in: run berth login\n');
      }
      return 1;
    }
    if (err instanceof CliError) {
      process.stderr.write(`berth: ${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
}

function usageFailure(message: string, spec: CommandUsage | undefined): number {
  const usage = spec ? `Usage: ${usageLine(spec)}\nRun 'berth ${spec.words.join(' ')} --help' for more.\n` : "Run 'berth help' for the commands.\n";
  process.stderr.write(`berth: ${message}\n${usage}`);
  return 2;
}

async function serve(args: string[]): Promise<number> {
  // Loaded here so that client commands start without the server's modules.
  const { ConfigError, loadConfig } = await import('../config/config.ts');
  const { createLogger, startBerth } = await import('../main.ts');
  const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' } }, strict: true });
  let config;
  try {
    config = loadConfig({ file: values.config });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`berth: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const logger = createLogger(config);
  const berth = await startBerth(config, logger);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await berth.close();
  return 0;
}

// `berth app history x | head`: once the reader closes the pipe, writes fail
// with EPIPE. That is the reader saying it has enough: exit quietly (status 0)
// instead of dying on an unhandled 'error' event with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`berth: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
