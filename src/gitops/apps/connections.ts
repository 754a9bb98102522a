/**
 * The connection state of clusters and Git repositories: when Berth last
 * reached each, and its last error, for the clusters and Git repositories
 * views. Recorded by every process where it talks to them (the Kubernetes
 * client and the Git cache are wrapped in delivery.ts) into
 * `delivery_connections`, at most every WRITE_EVERY_MS per target unless the
 * state changes, so a busy engine does not write on every request.
 * Messages are the scrubbed ones the Git and Kubernetes errors carry (no
 * credentials), cut to 500 characters.
 */
import type { Db } from '../../platform/db/schema.ts';
import { GitError } from '../git/errors.ts';
import type { GitRepoCache, KubeClient } from '../types.ts';

const WRITE_EVERY_MS = 30_000;
const MESSAGE_LIMIT = 500;

export type ConnectionKind = 'cluster' | 'git';

export interface ConnectionState {
  /** Epoch ms of the last successful contact; null when never reached. */
  lastSuccessAt: number | null;
  /** The last failure, when it came after the last success. */
  lastError: { message: string; at: number } | null;
}

export class ConnectionStates {
  readonly #db: Db;
  readonly #written = new Map<string, { at: number; state: string }>();

  constructor(db: Db) {
    this.#db = db;
  }

  succeeded(kind: ConnectionKind, target: string): void {
    this.#record(kind, target, undefined);
  }

  failed(kind: ConnectionKind, target: string, message: string): void {
    this.#record(kind, target, message.slice(0, MESSAGE_LIMIT));
  }

  /** The states of `targets` (missing ones: never contacted). */
  async get(kind: ConnectionKind, targets: readonly string[]): Promise<Map<string, ConnectionState>> {
    const out = new Map<string, ConnectionState>();
    if (targets.length === 0) return out;
    const rows = await this.#db.selectFrom('delivery_connections').selectAll().where('kind', '=', kind).where('target', 'in', [...targets]).execute();
    for (const r of rows) {
      const success = r.last_success_at === null ? null : Number(r.last_success_at);
      const errorAt = r.last_error_at === null ? null : Number(r.last_error_at);
      out.set(r.target, { lastSuccessAt: success, lastError: r.last_error !== null && errorAt !== null && (success === null || errorAt > success) ? { message: r.last_error, at: errorAt } : null });
    }
    return out;
  }

  /** A Git cache that records each resolution's outcome for its repository URL (`normalize`d). */
  watchGit(git: GitRepoCache, normalize: (url: string) => string): GitRepoCache {
    return {
      resolve: async (repo, revision, options) => {
        try {
          const commit = await git.resolve(repo, revision, options);
          this.succeeded('git', normalize(repo.url));
          return commit;
        } catch (err) {
          // An unknown revision or a bad request still reached the server.
          if (err instanceof GitError && (err.reason === 'revision' || err.reason === 'invalid')) this.succeeded('git', normalize(repo.url));
          else this.failed('git', normalize(repo.url), err instanceof Error ? err.message : String(err));
          throw err;
        }
      },
      tree: (repo, commit) => git.tree(repo, commit),
      invalidate: (url) => git.invalidate(url),
    };
  }

  /** A Kubernetes client that records, for its server, whether the API server answered. */
  watchKube<C extends KubeClient>(client: C): C {
    const server = client.server;
    return new Proxy(client, {
      get: (target, prop, receiver) => {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
          if (result instanceof Promise) {
            result.then(
              () => this.succeeded('cluster', server),
              (err: unknown) => {
                const status = (err as { status?: unknown }).status;
                // Any HTTP answer but 401/403 means the API server was reached with working credentials.
                if (typeof status === 'number' && status > 0 && status !== 401 && status !== 403) this.succeeded('cluster', server);
                else this.failed('cluster', server, err instanceof Error ? err.message : String(err));
              },
            );
          }
          return result;
        };
      },
    });
  }

  #record(kind: ConnectionKind, target: string, error: string | undefined): void {
    const key = `${kind}\0${target}`;
    const now = Date.now();
    const state = error === undefined ? 'ok' : `error:${error}`;
    const last = this.#written.get(key);
    if (last && last.state === state && now - last.at < WRITE_EVERY_MS) return;
    if (this.#written.size > 10_000) this.#written.clear();
    this.#written.set(key, { at: now, state });
    const row = error === undefined ? { last_success_at: now } : { last_error: error, last_error_at: now };
    void this.#db
      .insertInto('delivery_connections')
      .values({ kind, target: target.slice(0, 2048), last_success_at: null, last_error: null, last_error_at: null, ...row })
      .onConflict((oc) => oc.columns(['kind', 'target']).doUpdateSet(row))
      .execute()
      .catch(() => this.#written.delete(key)); // tried again on the next contact
  }
}
