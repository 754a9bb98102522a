/**
 * Running the git CLI safely: argument arrays only (never a shell), a minimal
 * environment (no user or system configuration, no credential helpers, no
 * terminal prompts, only the allowed protocols), a timeout that kills git and
 * every process it started, and errors turned into GitError with secrets
 * scrubbed from git's words.
 */
import { spawn } from 'node:child_process';
import { GitError, scrubSecrets, type GitErrorReason } from './errors.ts';

export interface GitRunOptions {
  /** Environment added to the base environment (credentials, GIT_INDEX_FILE …). */
  env?: Record<string, string>;
  cwd?: string;
  /** Written to git's stdin, which is closed afterwards. */
  input?: string;
  timeoutMs: number;
  /** The repository URL for messages (no userinfo). */
  url: string;
  /** Strings to scrub from anything git printed. */
  secrets: readonly (string | undefined)[];
  /**
   * Berth's own directories (the repository cache) to keep out of messages:
   * each becomes `(git cache)`, so users never see the data directory.
   */
  hidePaths?: readonly string[];
  /** What the operation is, for messages: "fetch", "resolve" … */
  what: string;
  /** Largest stdout kept, in bytes (default 8 MiB). */
  maxStdout?: number;
}

export interface GitResult {
  stdout: string;
  stderr: string;
}

/** Passed through from Berth's own environment: proxies and TLS trust only. */
const PASSED_ENV = ['PATH', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy', 'ALL_PROXY', 'all_proxy', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'GIT_SSL_CAINFO', 'GIT_SSL_CAPATH', 'TZ'];

/**
 * The environment every git child starts from. `home` is an empty directory
 * of Berth's (git and curl read ~/.gitconfig and ~/.netrc from $HOME).
 */
export function baseGitEnv(options: { home: string; askpass: string; allowFileUrls: boolean }): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of PASSED_ENV) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  env.PATH ??= '/usr/local/bin:/usr/bin:/bin';
  Object.assign(env, {
    HOME: options.home,
    XDG_CONFIG_HOME: options.home,
    LANG: 'C',
    LC_ALL: 'C',
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_ASKPASS: options.askpass,
    SSH_ASKPASS: options.askpass,
    SSH_ASKPASS_REQUIRE: 'never',
    GIT_ALLOW_PROTOCOL: options.allowFileUrls ? 'http:https:ssh:git:file' : 'http:https:ssh:git',
    GIT_PROTOCOL_FROM_USER: '0',
    GIT_SSH_VARIANT: 'ssh',
    // Refuses any SSH use unless an operation sets its own command with a key and known hosts.
    GIT_SSH_COMMAND: 'ssh -F /dev/null -o BatchMode=yes -o IdentityFile=none -o StrictHostKeyChecking=yes -o UserKnownHostsFile=/dev/null -o GlobalKnownHostsFile=/dev/null',
    GIT_LFS_SKIP_SMUDGE: '1',
    GIT_OPTIONAL_LOCKS: '0',
  });
  return env;
}

/** `-c` options given to every git command. */
export const GIT_CONFIG_ARGS: readonly string[] = [
  '-c', 'credential.helper=',
  '-c', 'core.askPass=',
  '-c', 'core.hooksPath=/dev/null',
  '-c', 'core.fsmonitor=false',
  '-c', 'protocol.version=2',
  '-c', 'gc.autoDetach=false',
  '-c', 'fetch.recurseSubmodules=false',
  '-c', 'http.lowSpeedLimit=1000',
  '-c', 'http.lowSpeedTime=60',
  '-c', 'advice.detachedHead=false',
];

/** Classifies git's stderr into a reason and a short readable cause. */
export function classifyGitFailure(stderr: string): { reason: GitErrorReason; cause: string } {
  const s = stderr;
  if (/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|No \S+ host key is known/i.test(s)) {
    return { reason: 'host-key', cause: 'SSH host key verification failed (check the known hosts given for this repository)' };
  }
  if (
    /Authentication failed|could not read (Username|Password)|terminal prompts disabled|HTTP Basic: Access denied|Permission denied \(|returned error: 40[13]\b|Invalid username or password|\b401 Unauthorized/i.test(s)
  ) {
    return { reason: 'auth', cause: 'authentication failed' };
  }
  if (/transport '[^']*' not allowed|unsupported protocol|Unsupported protocol/i.test(s)) return { reason: 'invalid', cause: 'protocol not allowed' };
  if (/repository '[^']*' not found|does not appear to be a git repository|returned error: 404\b|Repository not found|not a git repository|No such file or directory/i.test(s)) {
    return { reason: 'not-found', cause: 'repository not found (or not visible with these credentials)' };
  }
  if (/Could not resolve host|Failed to connect|Connection refused|Connection timed out|Connection reset|Operation timed out|Network is unreachable|returned error: 5\d\d\b|Empty reply|SSL|TLS|certificate|early EOF|unexpected disconnect|Could not read from remote repository|Connection closed/i.test(s)) {
    return { reason: 'unreachable', cause: 'repository unreachable' };
  }
  return { reason: 'other', cause: 'git failed' };
}

/** The most telling lines git printed (at most 3, 500 characters). */
function gitWords(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !/^(hint|warning: redirecting):/i.test(l));
  return lines.slice(-3).join('; ').slice(0, 500);
}

/**
 * Runs `git <GIT_CONFIG_ARGS> <args>` with `env`. Resolves with its output
 * when it exits 0; otherwise rejects with a GitError. On timeout the whole
 * process group (git, its remote helpers, ssh) is killed.
 */
export function runGit(args: readonly string[], baseEnv: Record<string, string>, options: GitRunOptions): Promise<GitResult> {
  const maxStdout = options.maxStdout ?? 8 * 1024 * 1024;
  return new Promise<GitResult>((resolve, reject) => {
    const child = spawn('git', [...GIT_CONFIG_ARGS, ...args], {
      env: { ...baseEnv, ...options.env },
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true, // own process group, so a timeout kills helpers too
      windowsHide: true,
    });
    const out: Buffer[] = [];
    let outBytes = 0;
    let err = '';
    let timedOut = false;
    let settled = false;
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, options.timeoutMs);
    timer.unref();
    child.stdout.on('data', (chunk: Buffer) => {
      if (outBytes < maxStdout) out.push(chunk);
      outBytes += chunk.length;
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (err.length < 65_536) err += chunk;
    });
    child.stdin.on('error', () => {}); // git may exit before reading its input
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
    const fail = (e: GitError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(e);
    };
    child.on('error', (e) => {
      fail(new GitError('other', options.url, `repository ${options.url}: could not run git for ${options.what}: ${scrubSecrets(e.message, options.secrets)}`));
    });
    child.on('close', (code, signal) => {
      if (settled) return;
      if (timedOut) {
        fail(new GitError('timeout', options.url, `repository ${options.url}: git ${options.what} timed out after ${Math.round(options.timeoutMs / 1000)} s`));
        return;
      }
      if (code === 0) {
        settled = true;
        clearTimeout(timer);
        resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: err });
        return;
      }
      let scrubbed = scrubSecrets(err, options.secrets);
      for (const dir of options.hidePaths ?? []) if (dir.length > 1) scrubbed = scrubbed.split(dir).join('(git cache)');
      const { reason, cause } = classifyGitFailure(scrubbed);
      const words = gitWords(scrubbed);
      const status = signal ? `killed by ${signal}` : `exit ${code}`;
      fail(new GitError(reason, options.url, `repository ${options.url}: ${cause} (git ${options.what}: ${words || status})`));
    });
  });
}

/** Quotes a string for the POSIX shell (GIT_SSH_COMMAND is run by sh). */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
