/**
 * The client's errors. Imports nothing, so the client, its settings file and
 * the command framework can all throw them without importing each other.
 */

/** What a usage message needs of a command (a `CommandSpec` is one). */
export interface CommandUsage {
  /** The command words, e.g. ['project', 'create']. */
  words: string[];
  /** Arguments after the words, e.g. `NAME [--public | --private]`. */
  args: string;
}

/** A mistake in the command line: exit 2 with the usage of `spec`. */
export class UsageError extends Error {
  readonly spec: CommandUsage | undefined;
  constructor(message: string, spec?: CommandUsage) {
    super(message);
    this.name = 'UsageError';
    this.spec = spec;
  }
}

/** Any other failure worth a one-line message: exit 1 unless told. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}
