/**
 * What commands print: aligned tables and key/value details for people,
 * the API's JSON for `--output json`. Results go to stdout; notes, warnings
 * and prompts to stderr. Bold headers only on a terminal without NO_COLOR.
 */
export type Format = 'table' | 'json';

export interface Column<T> {
  header: string;
  value: (row: T) => string;
}

export interface Stream {
  write(s: string): unknown;
  isTTY?: boolean;
}

export class Output {
  readonly format: Format;
  readonly #stdout: Stream;
  readonly #stderr: Stream;
  readonly #color: boolean;
  readonly #errColor: boolean;

  constructor(format: Format, stdout: Stream = process.stdout, stderr: Stream = process.stderr, env: NodeJS.ProcessEnv = process.env) {
    this.format = format;
    this.#stdout = stdout;
    this.#stderr = stderr;
    const colorOk = !env.NO_COLOR && env.TERM !== 'dumb';
    this.#color = stdout.isTTY === true && colorOk;
    this.#errColor = stderr.isTTY === true && colorOk;
  }

  get json(): boolean {
    return this.format === 'json';
  }

  /** A line on stdout. */
  line(text = ''): void {
    this.#stdout.write(`${text}\n`);
  }

  /** A note on stderr (never data). */
  note(text: string): void {
    this.#stderr.write(`${text}\n`);
  }

  /** A warning on stderr, highlighted on a terminal. */
  warn(text: string): void {
    this.#stderr.write(this.#errColor ? `\x1b[1;33m${text}\x1b[0m\n` : `${text}\n`);
  }

  /** The API's JSON answer, as it is (indented). */
  printJson(data: unknown): void {
    this.#stdout.write(`${JSON.stringify(data ?? null, null, 2)}\n`);
  }

  table<T>(rows: readonly T[], columns: Column<T>[]): void {
    const cells = rows.map((r) => columns.map((c) => clean(c.value(r))));
    const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => row[i]!.length)));
    const render = (row: string[]) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd();
    const header = render(columns.map((c) => c.header));
    this.line(this.#color ? `\x1b[1m${header}\x1b[0m` : header);
    for (const row of cells) this.line(render(row));
  }

  /** `key   value` lines for one object. */
  details(pairs: [string, string][]): void {
    const width = Math.max(...pairs.map(([k]) => k.length));
    for (const [k, v] of pairs) {
      const [first, ...rest] = v.split('\n');
      this.line(`${(this.#color ? `\x1b[1m${k.padEnd(width)}\x1b[0m` : k.padEnd(width))}  ${first}`);
      for (const more of rest) this.line(`${' '.repeat(width)}  ${more}`);
    }
  }
}

/** Control characters from the server never reach the terminal. */
function clean(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}

export function time(ms: number | null | undefined, none = '-'): string {
  if (ms === null || ms === undefined) return none;
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

export const yesNo = (b: boolean) => (b ? 'yes' : 'no');

export const orDash = (s: string | null | undefined) => (s === null || s === undefined || s === '' ? '-' : s);
