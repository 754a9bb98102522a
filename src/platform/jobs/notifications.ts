/**
 * A dedicated PostgreSQL connection that LISTENs on the platform's channels
 * and hands each notification to its handler. Notifications are only a
 * wakeup: the jobs table is the record, so when the connection drops it is
 * reopened with backoff and `onReconnect` runs (claimers look for anything
 * they missed).
 */
import type pg from 'pg';
import type { Logger } from 'pino';

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

export class PgNotifications {
  readonly #url: string;
  readonly #handlers: ReadonlyMap<string, (payload: string) => void>;
  readonly #log: Logger;
  readonly #onReconnect: () => void;
  #client: pg.Client | undefined;
  #stopped = false;
  #retryMs = 500;
  #retryTimer: NodeJS.Timeout | undefined;

  constructor(url: string, handlers: ReadonlyMap<string, (payload: string) => void>, log: Logger, onReconnect: () => void) {
    this.#url = url;
    this.#handlers = handlers;
    this.#log = log;
    this.#onReconnect = onReconnect;
  }

  /** Resolves once listening, or after the first failure (then retries in the background). */
  async start(): Promise<void> {
    this.#stopped = false;
    await this.#connect();
  }

  async #connect(): Promise<void> {
    const { default: pgModule } = await import('pg');
    const client = new pgModule.Client({ connectionString: this.#url, application_name: 'berth-listen', connectionTimeoutMillis: 15_000 });
    client.on('notification', (msg) => {
      const handler = this.#handlers.get(msg.channel);
      if (!handler) return;
      try {
        handler(msg.payload ?? '');
      } catch (err) {
        this.#log.error({ err, channel: msg.channel }, 'notification handler failed');
      }
    });
    client.on('error', (err) => {
      this.#log.warn({ err }, 'notification connection failed; reconnecting');
      this.#reconnect(client);
    });
    client.on('end', () => this.#reconnect(client));
    try {
      await client.connect();
      for (const channel of this.#handlers.keys()) {
        if (!CHANNEL.test(channel)) throw new Error(`invalid channel name ${channel}`);
        await client.query(`LISTEN ${channel}`);
      }
      if (this.#stopped) {
        await client.end();
        return;
      }
      this.#client = client;
      this.#retryMs = 500;
    } catch (err) {
      this.#log.warn({ err }, 'could not listen for notifications; polling until it works');
      this.#reconnect(client);
    }
  }

  #reconnect(client: pg.Client): void {
    if (this.#client && this.#client !== client) return;
    this.#client = undefined;
    client.removeAllListeners('end');
    client.end().catch(() => {});
    if (this.#stopped || this.#retryTimer) return;
    const wait = this.#retryMs;
    this.#retryMs = Math.min(this.#retryMs * 2, 30_000);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      void this.#connect().then(() => {
        if (this.#client) this.#onReconnect();
      });
    }, wait);
    this.#retryTimer.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    const client = this.#client;
    this.#client = undefined;
    if (client) {
      client.removeAllListeners('end');
      await client.end().catch(() => {});
    }
  }
}
