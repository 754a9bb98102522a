/**
 * The little command framework of the `berth` client: each command declares
 * its words, usage, options (for node:util parseArgs) and examples once; the
 * same declaration parses arguments, prints `--help` and usage errors.
 *
 * Exit codes: 0 success, 1 an error from the server or the environment,
 * 2 a usage error (printed with the command's usage).
 */
import { parseArgs } from 'node:util';
import type { Client } from './client.ts';
import type { Settings } from './config.ts';
import { CliError, UsageError, type CommandUsage } from './errors.ts';
import type { Output } from './output.ts';

/** Re-exported: commands import everything they need from here. */
export { CliError, UsageError };

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Shown after the option in help, e.g. `URL`. */
  value?: string;
  help: string;
  multiple?: boolean;
  /** A boolean that also takes `--no-NAME`. */
  negatable?: boolean;
}

export type Values = Record<string, string | boolean | string[] | boolean[] | undefined>;

export interface Ctx {
  values: Values;
  positionals: string[];
  out: Output;
  settings: Settings;
  /** A client for the effective server; `auth` false sends no credentials. */
  client(opts?: { auth?: boolean }): Client;
  spec: CommandSpec;
}

export interface CommandSpec {
  /** The command words, e.g. ['project', 'create']. */
  words: string[];
  /** Arguments after the words, e.g. `NAME [--public | --private]`. */
  args: string;
  summary: string;
  /** Longer explanation for --help. */
  details?: string;
  options?: Record<string, OptionSpec>;
  /** How many positionals the command takes. */
  positionals: [min: number, max: number];
  examples: string[];
  run(ctx: Ctx): Promise<number | undefined | void>;
}

export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  server: { type: 'string', value: 'URL', help: 'Berth server (default: BERTH_SERVER, then the config file)' },
  output: { type: 'string', short: 'o', value: 'FORMAT', help: 'table (default) or json: the API answer as it is' },
  help: { type: 'boolean', short: 'h', help: 'show help for the command' },
};

export function usageLine(spec: CommandUsage): string {
  return `berth ${spec.words.join(' ')}${spec.args ? ` ${spec.args}` : ''}`;
}

function optionLines(options: Record<string, OptionSpec>): string[] {
  const rows = Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${o.negatable ? '[no-]' : ''}${name}${o.value ? ` ${o.value}` : ''}`;
    return [flag, o.help] as const;
  });
  const width = Math.max(...rows.map(([f]) => f.length));
  return rows.map(([f, h]) => `  ${f.padEnd(width)}  ${h}`);
}

export function commandHelp(spec: CommandSpec): string {
  const lines = [`${spec.summary}`, '', 'Usage:', `  ${usageLine(spec)}`];
  if (spec.details) lines.push('', ...spec.details.split('\n'));
  if (spec.options && Object.keys(spec.options).length > 0) lines.push('', 'Options:', ...optionLines(spec.options));
  lines.push('', 'Global options:', ...optionLines(GLOBAL_OPTIONS));
  if (spec.examples.length > 0) lines.push('', 'Examples:', ...spec.examples.map((e) => `  ${e}`));
  return `${lines.join('\n')}\n`;
}

export function groupHelp(group: string, summary: string, specs: CommandSpec[]): string {
  const rows = specs.map((s) => [usageLine(s), s.summary] as const);
  const width = Math.max(...rows.map(([u]) => u.length));
  return [
    summary,
    '',
    'Usage:',
    ...rows.map(([u, s]) => `  ${u.padEnd(width)}  ${s}`),
    '',
    `Run \`berth ${group} COMMAND --help\` for the options of a command.`,
    '',
  ].join('\n');
}

export interface Parsed {
  values: Values;
  positionals: string[];
}

/** Parses `args` for `spec` with the global options; throws UsageError. */
export function parseCommand(spec: CommandSpec, args: string[]): Parsed {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [name, o] of Object.entries({ ...GLOBAL_OPTIONS, ...spec.options })) {
    options[name] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) };
  }
  // `--duration -1`: parseArgs refuses a value starting with a dash unless written `--duration=-1`.
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const next = args[i + 1];
    if (a === '--') {
      joined.push(...args.slice(i));
      break;
    }
    if (a.startsWith('--') && options[a.slice(2)]?.type === 'string' && next !== undefined && /^-\d+$/.test(next)) {
      joined.push(`${a}=${next}`);
      i++;
    } else joined.push(a);
  }
  let parsed;
  try {
    parsed = parseArgs({ args: joined, options, strict: true, allowPositionals: true, allowNegative: true });
  } catch (err) {
    if (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')) throw new UsageError(cleanParseMessage(err.message), spec);
    throw err;
  }
  const values = parsed.values as Values;
  if (values.help === true) return { values, positionals: parsed.positionals };
  // allowNegative accepts --no-X for every boolean; only declared ones make sense.
  for (const arg of joined) {
    if (arg === '--') break;
    const m = /^--no-([^=]+)$/.exec(arg);
    if (m && spec.options?.[m[1]!]?.negatable !== true) throw new UsageError(`unknown option '${arg}'`, spec);
  }
  const output = values.output;
  if (output !== undefined && output !== 'table' && output !== 'json') throw new UsageError(`--output is table or json, not ${JSON.stringify(output)}`, spec);
  const [min, max] = spec.positionals;
  const n = parsed.positionals.length;
  if (n < min) throw new UsageError(n === 0 ? 'missing arguments' : 'too few arguments', spec);
  if (n > max) throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[max])}`, spec);
  return { values, positionals: parsed.positionals };
}

function cleanParseMessage(message: string): string {
  // parseArgs messages carry advice for script authors ("To specify a positional…"); keep the first sentence.
  const first = (message.split('\n')[0] ?? message).split('. To specify')[0] ?? message;
  return (first.endsWith('.') ? first.slice(0, -1) : first).replace(/^Unknown option/, 'unknown option').replace(/^Option/, 'option');
}

export function str(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function bool(values: Values, name: string): boolean | undefined {
  const v = values[name];
  return typeof v === 'boolean' ? v : undefined;
}

/** An integer option within [min, max]; UsageError otherwise. */
export function int(ctx: Ctx, name: string, min: number, max: number): number | undefined {
  const v = str(ctx.values, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^-?\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`--${name} is a whole number from ${min} to ${max}`, ctx.spec);
  return n;
}
