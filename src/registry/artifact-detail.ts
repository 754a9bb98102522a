/**
 * An artifact's detail: the config summary (read from the config blob
 * through the storage layer, at most MAX_CONFIG_BYTES; configs are content
 * addressed, so summaries are cached by digest), layers, index children with
 * their platform, and the referrers tree.
 */
import { parseDigest } from '../oci/digest.ts';
import { descriptors, IMAGE_CONFIG_TYPES, INDEX_TYPES, manifestJson, parseAnnotations, platformOf, iso } from './artifact-rows.ts';
import type { ArtifactDetail, ArtifactInfo, ChildInfo, ConfigSummary, LayerInfo, ReferrerInfo } from './artifact-types.ts';
import type { Registry } from './registry.ts';

/** Larger configs are not read (an image config is a few KiB). */
export const MAX_CONFIG_BYTES = 1024 * 1024;
const CACHE_ENTRIES = 2000;
/** How deep and how many referrers the tree follows. */
const MAX_REFERRER_DEPTH = 8;
const MAX_REFERRERS = 1000;

export class ArtifactDetails {
  readonly #registry: Registry;
  readonly #configs = new Map<string, ConfigSummary | null>();

  constructor(registry: Registry) {
    this.#registry = registry;
  }

  /** The config summary of an image manifest's content, or null. */
  async configOf(content: Uint8Array): Promise<ConfigSummary | null> {
    const config = descriptors([manifestJson(content).config])[0];
    if (!config || !IMAGE_CONFIG_TYPES.has(config.mediaType)) return null;
    return this.#config(config.digest);
  }

  async #config(digest: string): Promise<ConfigSummary | null> {
    if (this.#configs.has(digest)) return this.#configs.get(digest)!;
    const summary = await this.#readConfig(digest).catch(() => null);
    if (this.#configs.size >= CACHE_ENTRIES) this.#configs.delete(this.#configs.keys().next().value!);
    this.#configs.set(digest, summary);
    return summary;
  }

  async #readConfig(digest: string): Promise<ConfigSummary | null> {
    const d = parseDigest(digest);
    const size = await this.#registry.storage.stat(d);
    if (size === undefined || size > MAX_CONFIG_BYTES) return null;
    const chunks: Buffer[] = [];
    for await (const chunk of this.#registry.storage.read(d)) chunks.push(chunk as Buffer);
    return summarize(JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown);
  }

  async detail(repository: string, digest: string, info: ArtifactInfo): Promise<ArtifactDetail> {
    const db = this.#registry.db;
    const row = await db.selectFrom('manifests').select(['content', 'subject_digest']).where('repository', '=', repository).where('digest', '=', digest).executeTakeFirstOrThrow();
    const json = manifestJson(row.content);
    const configDescriptor = descriptors([json.config])[0];
    const config = INDEX_TYPES.has(info.media_type) ? null : await this.configOf(row.content);
    const layers: LayerInfo[] = descriptors(json.layers).map((l) => ({ digest: l.digest, media_type: l.mediaType, size: l.size }));
    const children = INDEX_TYPES.has(info.media_type) ? descriptors(json.manifests) : [];
    const sizes = new Map<string, number>();
    if (children.length > 0) {
      const found = await db
        .selectFrom('manifests')
        .select(['digest', 'size', 'total_size'])
        .where('repository', '=', repository)
        .where('digest', 'in', children.map((c) => c.digest))
        .execute();
      for (const f of found) sizes.set(f.digest, Number(f.total_size ?? f.size));
    }
    const references: ChildInfo[] = children.map((c) => ({ digest: c.digest, media_type: c.mediaType, size: sizes.get(c.digest) ?? c.size, platform: platformOf(c.platform) }));
    return {
      ...info,
      labels: config?.labels ?? null,
      config,
      config_digest: configDescriptor?.digest ?? null,
      layers,
      references,
      referrers: await this.referrers(repository, digest),
      subject: row.subject_digest,
    };
  }

  /** Referrers of `digest` and theirs, depth first, bounded. */
  async referrers(repository: string, digest: string): Promise<ReferrerInfo[]> {
    const out: ReferrerInfo[] = [];
    const seen = new Set<string>([digest]);
    const walk = async (subject: string, depth: number): Promise<void> => {
      if (depth > MAX_REFERRER_DEPTH || out.length >= MAX_REFERRERS) return;
      const rows = await this.#registry.db
        .selectFrom('manifests')
        .select(['digest', 'media_type', 'artifact_type', 'size', 'total_size', 'created_at', 'annotations'])
        .where('repository', '=', repository)
        .where('subject_digest', '=', subject)
        .orderBy('created_at')
        .orderBy('digest')
        .execute();
      for (const r of rows) {
        if (seen.has(r.digest) || out.length >= MAX_REFERRERS) continue;
        seen.add(r.digest);
        out.push({
          digest: r.digest,
          subject,
          depth,
          media_type: r.media_type,
          artifact_type: r.artifact_type,
          size: Number(r.total_size ?? r.size),
          push_time: iso(Number(r.created_at)),
          annotations: parseAnnotations(r.annotations),
        });
        await walk(r.digest, depth + 1);
      }
    };
    await walk(digest, 1);
    return out;
  }
}

function strings(v: unknown): string[] | null {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/** The parts of an OCI/Docker image config the UI shows. */
export function summarize(raw: unknown): ConfigSummary | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const c = raw as Record<string, unknown>;
  const cfg = (typeof c.config === 'object' && c.config !== null ? c.config : {}) as Record<string, unknown>;
  const labels: Record<string, string> = {};
  if (typeof cfg.Labels === 'object' && cfg.Labels !== null) for (const [k, v] of Object.entries(cfg.Labels)) if (typeof v === 'string') labels[k] = v;
  return {
    os: str(c.os),
    architecture: str(c.architecture),
    variant: str(c.variant),
    created: str(c.created),
    author: str(c.author),
    labels,
    entrypoint: strings(cfg.Entrypoint),
    cmd: strings(cfg.Cmd),
    working_dir: str(cfg.WorkingDir) || null,
    env_count: Array.isArray(cfg.Env) ? cfg.Env.length : 0,
    exposed_ports: typeof cfg.ExposedPorts === 'object' && cfg.ExposedPorts !== null ? Object.keys(cfg.ExposedPorts).sort() : [],
  };
}
