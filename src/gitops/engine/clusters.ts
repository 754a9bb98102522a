/**
 * One client and one watch cache per destination cluster, created on first
 * use and shared by every application that deploys there.
 */
import { AccessError } from '../../access/errors.ts';
import { IN_CLUSTER_NAME, IN_CLUSTER_SERVER, type Destination } from '../model.ts';
import type { ClusterCache, ClusterConnection, KubeClient, LiveChange } from '../types.ts';

export interface ClusterHandle {
  connection: ClusterConnection;
  client: KubeClient;
  cache: ClusterCache;
}

export interface ClusterSource {
  /** The registered cluster with this name or server URL, secrets included. */
  connection(nameOrServer: string): Promise<ClusterConnection | undefined>;
}

export type Connect = (connection: ClusterConnection) => { client: KubeClient; cache: ClusterCache };

export class ClusterHandles {
  readonly #source: ClusterSource;
  readonly #connect: Connect;
  readonly #inCluster: ClusterConnection | undefined;
  readonly #handles = new Map<string, Promise<ClusterHandle>>();
  readonly #onChange: (change: LiveChange, handle: ClusterHandle) => void;
  readonly #unsubscribe = new Map<string, () => void>();
  /** Registered name → server of the handles made, to find a handle when its registration changes. */
  readonly #servers = new Map<string, string>();

  constructor(source: ClusterSource, connect: Connect, onChange: (change: LiveChange, handle: ClusterHandle) => void, inCluster?: ClusterConnection) {
    this.#source = source;
    this.#connect = connect;
    this.#onChange = onChange;
    this.#inCluster = inCluster;
  }

  async #lookup(destination: Destination): Promise<ClusterConnection> {
    const wanted = destination.name ?? destination.server ?? '';
    if (this.#inCluster && (wanted === IN_CLUSTER_NAME || wanted === IN_CLUSTER_SERVER)) return this.#inCluster;
    const found = await this.#source.connection(wanted);
    if (!found) throw new AccessError('NOT_FOUND', `cluster ${wanted} is not registered (berth cluster add)`);
    return found;
  }

  async forDestination(destination: Destination): Promise<ClusterHandle> {
    const connection = await this.#lookup(destination);
    let handle = this.#handles.get(connection.server);
    if (!handle) {
      handle = Promise.resolve().then(() => {
        const { client, cache } = this.#connect(connection);
        const h: ClusterHandle = { connection, client, cache };
        this.#unsubscribe.set(connection.server, cache.subscribe((change) => this.#onChange(change, h)));
        return h;
      });
      this.#handles.set(connection.server, handle);
      this.#servers.set(connection.name, connection.server);
      handle.catch(() => this.#handles.delete(connection.server));
    }
    return handle;
  }

  /** Drops a cluster's client and cache (its registration changed or was removed). */
  async forget(server: string): Promise<void> {
    const handle = this.#handles.get(server);
    this.#handles.delete(server);
    this.#unsubscribe.get(server)?.();
    this.#unsubscribe.delete(server);
    if (handle) (await handle.catch(() => undefined))?.cache.close();
  }

  /** Drops the client and cache made for the cluster registered as `name`, if any. */
  async forgetCluster(name: string): Promise<void> {
    const server = this.#servers.get(name);
    this.#servers.delete(name);
    if (server !== undefined) await this.forget(server);
  }

  async close(): Promise<void> {
    for (const server of [...this.#handles.keys()]) await this.forget(server);
  }
}
