#!/usr/bin/env node
/**
 * The `berth` command. `berth serve` runs the server; other commands are
 * clients of a running Berth.
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/config.ts';
import { createLogger, startBerth } from '../main.ts';
import pkg from '../../package.json' with { type: 'json' };

const HELP = `berth — secure OCI registry and GitOps delivery

Usage:
  berth serve [--config FILE]   run the server (see docs/configuration.md)
  berth version                 print the version
  berth help                    show this help

Configuration comes from defaults, then the YAML file given by --config or
BERTH_CONFIG, then BERTH_* environment variables.
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
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(HELP);
      return 0;
    default:
      process.stderr.write(`berth: unknown command ${JSON.stringify(command)}\n\n${HELP}`);
      return 2;
  }
}

async function serve(args: string[]): Promise<number> {
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

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`berth: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
