/**
 * Reading what the user types: visible prompts, passwords without echo on a
 * terminal, and secrets from stdin (`--password-stdin`). Prompts go to
 * stderr so that stdout stays data.
 */
import { createInterface } from 'node:readline/promises';
import { CliError, UsageError } from './errors.ts';

export function interactive(): boolean {
  return process.stdin.isTTY === true;
}

/** All of stdin, as lines without their line ends. */
export async function readStdinLines(): Promise<string[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  const text = Buffer.concat(chunks).toString('utf8');
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** The first line of stdin: a password given with --password-stdin. */
export async function passwordFromStdin(what = 'password'): Promise<string> {
  if (interactive()) throw new UsageError(`--password-stdin reads the ${what} from a pipe: run without it to be prompted`);
  const [first] = await readStdinLines();
  if (!first) throw new UsageError(`no ${what} on stdin`);
  return first;
}

export async function promptLine(question: string, fallback?: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    const answer = (await rl.question(fallback ? `${question} [${fallback}]: ` : `${question}: `)).trim();
    return answer || fallback || '';
  } finally {
    rl.close();
  }
}

/** Reads a line from the terminal without echoing it. */
export async function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) throw new UsageError('stdin is not a terminal: use --password-stdin');
  process.stderr.write(`${question}: `);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise<string>((resolve, reject) => {
    let buf = '';
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          finish();
          resolve(buf);
          return;
        }
        if (ch === '\u0003' || (ch === '\u0004' && buf === '')) {
          finish();
          reject(new CliError('interrupted', 130));
          return;
        }
        if (ch === '\u007f' || ch === '\b') buf = [...buf].slice(0, -1).join('');
        else if (ch === '\u0015') buf = '';
        else if (ch >= ' ') buf += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** A new password, typed twice on a terminal or read from stdin. */
export async function newPassword(fromStdin: boolean, question = 'New password'): Promise<string> {
  if (fromStdin) return passwordFromStdin();
  if (!interactive()) throw new UsageError('stdin is not a terminal: give the password with --password-stdin');
  const first = await promptHidden(question);
  if (!first) throw new CliError('the password is empty');
  const again = await promptHidden(`Retype ${question.charAt(0).toLowerCase()}${question.slice(1)}`);
  if (again !== first) throw new CliError('the passwords do not match');
  return first;
}
