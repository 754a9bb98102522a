/**
 * ManifestRenderer: turns an application source in a checked-out tree into
 * the desired Kubernetes objects (plain directory, kustomize or helm), with
 * a byte-bounded, single-flight cache of the results.
 */
import { mkdir, mkdtemp, realpath, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { KubeObject, RenderInput, Renderer } from '../types.ts';
import { ByteLru, canonicalJson, sha256 } from './cache.ts';
import { renderDirectory } from './directory.ts';
import { RenderError } from './errors.ts';
import { resolveBinary, runTool, Semaphore, type ToolName } from './exec.ts';
import { explainHelmFailure, helmTemplateArgs } from './helm.ts';
import { assertKustomizeRootsInside, findKustomization, hasKustomizeOptions, writeOverlay } from './kustomize.ts';
import { parseYamlManifests } from './parse.ts';
import { assertNoEscapingSymlinks, display, isFile, pathRedactions, realRoot, resolveInside } from './paths.ts';

export interface ManifestRendererOptions {
  /** kustomize executable: a path, or a name looked up on PATH. Default: $BERTH_KUSTOMIZE_PATH, else `kustomize`. */
  kustomizeBinary?: string;
  /** helm (v3) executable. Default: $BERTH_HELM_PATH, else `helm`. */
  helmBinary?: string;
  /** Wall-clock limit per tool run; the process group is killed after it. Default 90 s. */
  timeoutMs?: number;
  /** Limit on a tool's stdout (and on a directory's manifest bytes). Default 32 MiB. */
  maxOutputBytes?: number;
  /** Total size of cached renders (as JSON). Default 64 MiB; 0 disables the cache. */
  cacheMaxBytes?: number;
  /** Tool processes running at once. Default: the machine's available parallelism. */
  maxConcurrent?: number;
  /** Where per-render temporary directories go. Default: os.tmpdir(). */
  tempDir?: string;
}

/** The second argument of render(). */
export interface RenderOptions {
  /** Part of the cache key: renders of different repositories never share an entry. */
  repoUrl?: string;
  /** Render again even when cached (a hard refresh); the result replaces the entry. */
  bypassCache?: boolean;
}

export type SourceType = 'Directory' | 'Kustomize' | 'Helm';

export interface RenderStats {
  /** Tool processes started (kustomize and helm) since construction. */
  spawns: number;
  cacheHits: number;
  cacheMisses: number;
  cacheEntries: number;
  cacheBytes: number;
  /** Renders in flight. */
  inFlight: number;
}

const DEFAULTS = { timeoutMs: 90_000, maxOutputBytes: 32 << 20, cacheMaxBytes: 64 << 20 };

/**
 * The source type: the explicit `directory`/`kustomize`/`helm` block, else
 * what the directory holds, like Argo CD (a kustomization wins over a
 * Chart.yaml), else a plain directory.
 */
export async function detectSourceType(appDir: string, source: RenderInput['source']): Promise<SourceType> {
  if (source.directory) return 'Directory';
  if (source.kustomize) return 'Kustomize';
  if (source.helm) return 'Helm';
  if (await findKustomization(appDir)) return 'Kustomize';
  if (await isFile(path.join(appDir, 'Chart.yaml'))) return 'Helm';
  return 'Directory';
}

export class ManifestRenderer implements Renderer {
  readonly #binaries: Record<ToolName, string>;
  readonly #timeoutMs: number;
  readonly #maxOutputBytes: number;
  readonly #tempDir: string;
  readonly #cache: ByteLru;
  readonly #inflight = new Map<string, Promise<string>>();
  readonly #tools: Semaphore;
  #spawns = 0;
  #hits = 0;
  #misses = 0;

  constructor(options: ManifestRendererOptions = {}) {
    this.#binaries = {
      kustomize: options.kustomizeBinary || process.env.BERTH_KUSTOMIZE_PATH || 'kustomize',
      helm: options.helmBinary || process.env.BERTH_HELM_PATH || 'helm',
    };
    this.#timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
    this.#maxOutputBytes = options.maxOutputBytes ?? DEFAULTS.maxOutputBytes;
    this.#cache = new ByteLru(options.cacheMaxBytes ?? DEFAULTS.cacheMaxBytes);
    this.#tools = new Semaphore(options.maxConcurrent ?? os.availableParallelism());
    this.#tempDir = options.tempDir ?? os.tmpdir();
  }

  get stats(): RenderStats {
    return {
      spawns: this.#spawns,
      cacheHits: this.#hits,
      cacheMisses: this.#misses,
      cacheEntries: this.#cache.size,
      cacheBytes: this.#cache.bytes,
      inFlight: this.#inflight.size,
    };
  }

  clearCache(): void {
    this.#cache.clear();
  }

  /**
   * The cache key: repository URL (when given), commit, path, the source's
   * directory/kustomize/helm parameters, app name and namespace.
   */
  cacheKey(input: RenderInput, repoUrl = ''): string {
    const s = input.source;
    return sha256(
      canonicalJson({
        repoUrl,
        commit: input.commit,
        path: path.posix.normalize(s.path || '.'),
        directory: s.directory ?? null,
        kustomize: s.kustomize ?? null,
        helm: s.helm ?? null,
        appName: input.appName,
        namespace: input.namespace,
      }),
    );
  }

  /**
   * Desired objects in file (or tool output) order. Each call returns fresh
   * objects. Identical concurrent renders share one run. Throws RenderError.
   */
  async render(input: RenderInput, options: RenderOptions = {}): Promise<KubeObject[]> {
    if (!input.commit) return this.#renderNow(input); // nothing stable to key on
    const key = this.cacheKey(input, options.repoUrl);
    if (!options.bypassCache) {
      const hit = this.#cache.get(key);
      if (hit !== undefined) {
        this.#hits++;
        return JSON.parse(hit) as KubeObject[];
      }
    }
    let pending = this.#inflight.get(key);
    if (pending === undefined) {
      this.#misses++;
      pending = this.#renderNow(input)
        .then((objects) => {
          const json = JSON.stringify(objects);
          this.#cache.set(key, json);
          return json;
        })
        .finally(() => this.#inflight.delete(key));
      this.#inflight.set(key, pending);
    }
    return JSON.parse(await pending) as KubeObject[];
  }

  async #renderNow(input: RenderInput): Promise<KubeObject[]> {
    const root = await realRoot(input.treeDir);
    const rel = input.source.path || '.';
    const appDir = await resolveInside(root, rel, 'source path');
    if (!(await stat(appDir)).isDirectory()) throw new RenderError(`source path "${rel}" is not a directory`);
    const type = await detectSourceType(appDir, input.source);
    switch (type) {
      case 'Directory':
        return renderDirectory(root, appDir, input.source.directory ?? {}, this.#maxOutputBytes);
      case 'Kustomize':
        return this.#kustomize(root, appDir, input);
      case 'Helm':
        return this.#helm(root, appDir, input);
    }
  }

  async #kustomize(root: string, appDir: string, input: RenderInput): Promise<KubeObject[]> {
    if (!(await findKustomization(appDir))) {
      throw new RenderError(`source path "${display(root, appDir)}" has no kustomization.yaml, kustomization.yml or Kustomization`);
    }
    await assertKustomizeRootsInside(root, appDir);
    return this.#withWorkDir(async (work) => {
      const run = (args: readonly string[], cwd: string): Promise<string> => this.#run('kustomize', args, cwd, work, root, input.treeDir);
      const k = input.source.kustomize;
      const target = hasKustomizeOptions(k) ? await writeOverlay(appDir, k ?? {}, work, run) : appDir;
      const out = await run(['build', target], work);
      return parseYamlManifests(out, `kustomize build ${display(root, appDir)}`);
    });
  }

  async #helm(root: string, appDir: string, input: RenderInput): Promise<KubeObject[]> {
    if (!(await isFile(path.join(appDir, 'Chart.yaml')))) throw new RenderError(`source path "${display(root, appDir)}" has no Chart.yaml`);
    // Helm follows symlinks while loading a chart.
    await assertNoEscapingSymlinks(root, appDir);
    return this.#withWorkDir(async (work) => {
      const args = await helmTemplateArgs({ root, chartDir: appDir, helm: input.source.helm ?? {}, appName: input.appName, namespace: input.namespace, workDir: work });
      const out = await this.#run('helm', args, work, work, root, input.treeDir).catch((err: unknown) => {
        throw err instanceof RenderError ? explainHelmFailure(err) : err;
      });
      return parseYamlManifests(out, `helm template ${display(root, appDir)}`, { helmSources: true });
    });
  }

  async #withWorkDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
    const made = await mkdtemp(path.join(this.#tempDir, 'berth-render-'));
    try {
      // The real path: the overlay reaches the tree by a relative path from
      // here, which must be the one error messages are scrubbed of.
      const dir = await realpath(made);
      await mkdir(path.join(dir, 'home'), { mode: 0o700 });
      await mkdir(path.join(dir, 'tmp'), { mode: 0o700 });
      return await fn(dir);
    } finally {
      await rm(made, { recursive: true, force: true });
    }
  }

  async #run(tool: ToolName, args: readonly string[], cwd: string, work: string, root: string, treeDir: string): Promise<string> {
    const binary = await resolveBinary(tool, this.#binaries[tool]);
    // Nothing of Berth's environment: only what the tools need, all in the work dir.
    const env: Record<string, string> = {
      PATH: '/usr/local/bin:/usr/bin:/bin',
      HOME: path.join(work, 'home'),
      TMPDIR: path.join(work, 'tmp'),
      LANG: 'C.UTF-8',
      KUBECONFIG: path.join(work, 'no-kubeconfig'),
      HELM_CACHE_HOME: path.join(work, 'helm', 'cache'),
      HELM_CONFIG_HOME: path.join(work, 'helm', 'config'),
      HELM_DATA_HOME: path.join(work, 'helm', 'data'),
      HELM_PLUGINS: path.join(work, 'helm', 'plugins'),
      KUSTOMIZE_PLUGIN_HOME: path.join(work, 'kustomize-plugins'),
    };
    return this.#tools.run(() =>
      runTool({
        tool,
        binary,
        args,
        cwd,
        env,
        timeoutMs: this.#timeoutMs,
        maxOutputBytes: this.#maxOutputBytes,
        redact: pathRedactions({ root, treeDir, work }),
        onSpawn: () => this.#spawns++,
      }),
    );
  }
}
