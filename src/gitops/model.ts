/**
 * The declarative delivery objects, as users write them in YAML or send them
 * to /api/v1: Application, AppProject (a Berth project's delivery policy),
 * Cluster and Repository. Shapes follow Argo CD's (apiVersion
 * `argoproj.io/v1alpha1` is accepted as well as `berth.dev/v1alpha1`) so that
 * existing manifests load unchanged; unknown Argo fields are refused with the
 * field named rather than silently ignored.
 */
import { z } from 'zod';

/** DNS-1123 label: what Kubernetes accepts for names Berth creates objects from. */
export const dnsLabel = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS label: lowercase letters, digits and "-", starting and ending with a letter or digit');

export const API_VERSIONS = ['berth.dev/v1alpha1', 'argoproj.io/v1alpha1'] as const;

/** A Go-style duration such as "5s", "2m", "1h30m". */
export const durationString = z.string().regex(/^(\d+(ms|s|m|h))+$/, 'must be a duration such as 5s, 2m or 1h30m');

export function parseDurationMs(s: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  for (const m of s.matchAll(/(\d+)(ms|s|m|h)/g)) total += Number(m[1]) * (units[m[2]!] ?? 0);
  return total;
}

const relativePath = z
  .string()
  .max(1024)
  .refine((p) => !p.startsWith('/') && !p.split('/').includes('..') && !p.includes('\0'), 'must be a relative path inside the repository without ".."');

export const directorySourceSchema = z.strictObject({
  recurse: z.boolean().default(false),
  /** Glob (or `{a,b}` list of globs) of file paths to include, relative to the source path. */
  include: z.string().max(1024).optional(),
  exclude: z.string().max(1024).optional(),
});

export const kustomizeSourceSchema = z.strictObject({
  /** `name=newName:tag`, `name:tag`, `name@digest`, as `kustomize edit set image` takes. */
  images: z.array(z.string().max(1024)).max(100).default([]),
  namePrefix: z.string().max(253).optional(),
  nameSuffix: z.string().max(253).optional(),
  commonLabels: z.record(z.string(), z.string()).default({}),
  commonAnnotations: z.record(z.string(), z.string()).default({}),
  namespace: z.string().max(63).optional(),
});

export const helmParameterSchema = z.strictObject({
  name: z.string().min(1).max(1024),
  value: z.string().max(65_536),
  forceString: z.boolean().default(false),
});

export const helmSourceSchema = z.strictObject({
  valueFiles: z.array(relativePath).max(50).default([]),
  /** Inline values as a YAML string (Argo's `values`). */
  values: z.string().max(1_048_576).optional(),
  /** Inline values as an object (Argo's `valuesObject`); wins over `values`. */
  valuesObject: z.record(z.string(), z.unknown()).optional(),
  parameters: z.array(helmParameterSchema).max(500).default([]),
  releaseName: z.string().max(53).optional(),
});

export const applicationSourceSchema = z
  .strictObject({
    repoURL: z.string().min(1).max(2048),
    /** Branch, tag, commit SHA or HEAD. */
    targetRevision: z.string().min(1).max(255).default('HEAD'),
    path: relativePath.default('.'),
    directory: directorySourceSchema.optional(),
    kustomize: kustomizeSourceSchema.optional(),
    helm: helmSourceSchema.optional(),
  })
  .refine((s) => [s.directory, s.kustomize, s.helm].filter((x) => x !== undefined).length <= 1, 'give at most one of directory, kustomize, helm');

export const destinationSchema = z
  .strictObject({
    /** A registered cluster's API server URL; `https://kubernetes.default.svc` is the cluster Berth runs in. */
    server: z.string().max(2048).optional(),
    /** A registered cluster's name (`in-cluster` for the cluster Berth runs in). */
    name: z.string().max(253).optional(),
    namespace: z.string().max(63).default(''),
  })
  .refine((d) => (d.server === undefined) !== (d.name === undefined), 'give exactly one of destination.server and destination.name');

export const SYNC_OPTIONS = [
  'CreateNamespace=true',
  'PruneLast=true',
  'ApplyOutOfSyncOnly=true',
  'Replace=true',
  'Prune=false',
  'Validate=false',
  'ServerSideApply=true',
  'RespectIgnoreDifferences=true',
  'FailOnSharedResource=true',
  'PrunePropagationPolicy=foreground',
  'PrunePropagationPolicy=background',
  'PrunePropagationPolicy=orphan',
] as const;

export const retrySchema = z.strictObject({
  /** Attempts after the first; -1 retries forever (Argo's meaning); 0 none. */
  limit: z.number().int().min(-1).max(1000).default(5),
  backoff: z
    .strictObject({
      duration: durationString.default('5s'),
      factor: z.number().min(1).max(100).default(2),
      maxDuration: durationString.default('3m'),
    })
    .default({ duration: '5s', factor: 2, maxDuration: '3m' }),
});

export const syncPolicySchema = z.strictObject({
  automated: z
    .strictObject({
      prune: z.boolean().default(false),
      selfHeal: z.boolean().default(false),
      allowEmpty: z.boolean().default(false),
    })
    .optional(),
  syncOptions: z.array(z.enum(SYNC_OPTIONS)).max(20).default([]),
  retry: retrySchema.optional(),
});

export const ignoreDifferenceSchema = z.strictObject({
  group: z.string().max(253).default(''),
  kind: z.string().min(1).max(253),
  name: z.string().max(253).optional(),
  namespace: z.string().max(63).optional(),
  /** RFC 6901 pointers into the object, e.g. /spec/replicas. */
  jsonPointers: z.array(z.string().regex(/^(\/[^/]*)+$/, 'must be a JSON pointer such as /spec/replicas')).max(100).default([]),
  /** Fields owned by these field managers are ignored. */
  managedFieldsManagers: z.array(z.string().max(128)).max(20).default([]),
});

export const applicationSpecSchema = z.strictObject({
  /** The Berth project the application belongs to; its delivery policy applies. */
  project: z.string().min(1).max(255),
  source: applicationSourceSchema,
  destination: destinationSchema,
  syncPolicy: syncPolicySchema.default({ syncOptions: [] }),
  ignoreDifferences: z.array(ignoreDifferenceSchema).max(100).default([]),
});

const metadataSchema = z.strictObject({
  name: dnsLabel,
  namespace: z.string().max(63).optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  finalizers: z.array(z.string()).optional(),
});

export const applicationSchema = z.strictObject({
  apiVersion: z.enum(API_VERSIONS).default('berth.dev/v1alpha1'),
  kind: z.literal('Application').default('Application'),
  metadata: metadataSchema,
  spec: applicationSpecSchema,
});

const groupKind = z.strictObject({ group: z.string().max(253), kind: z.string().min(1).max(253) });

/** A project's delivery policy (Argo's AppProject spec; the project itself is the Berth project). */
export const deliveryPolicySchema = z.strictObject({
  description: z.string().max(1024).optional(),
  /** Repository URLs (globs; `*` allows any). */
  sourceRepos: z.array(z.string().min(1).max(2048)).max(200).default([]),
  destinations: z
    .array(
      z.strictObject({
        server: z.string().max(2048).optional(),
        name: z.string().max(253).optional(),
        namespace: z.string().max(63).default('*'),
      }),
    )
    .max(200)
    .default([]),
  /** Cluster-scoped kinds allowed; empty means none (Argo's default). */
  clusterResourceWhitelist: z.array(groupKind).max(200).default([]),
  clusterResourceBlacklist: z.array(groupKind).max(200).default([]),
  /** Namespaced kinds allowed; absent means all. */
  namespaceResourceWhitelist: z.array(groupKind).max(200).optional(),
  namespaceResourceBlacklist: z.array(groupKind).max(200).default([]),
});

export const appProjectSchema = z.strictObject({
  apiVersion: z.enum(API_VERSIONS).default('berth.dev/v1alpha1'),
  kind: z.literal('AppProject'),
  metadata: metadataSchema.extend({ name: z.string().min(1).max(255) }),
  spec: deliveryPolicySchema,
});

export type ApplicationSource = z.infer<typeof applicationSourceSchema>;
export type Destination = z.infer<typeof destinationSchema>;
export type SyncPolicy = z.infer<typeof syncPolicySchema>;
export type SyncOption = (typeof SYNC_OPTIONS)[number];
export type IgnoreDifference = z.infer<typeof ignoreDifferenceSchema>;
export type ApplicationSpec = z.infer<typeof applicationSpecSchema>;
export type Application = z.infer<typeof applicationSchema>;
export type DeliveryPolicy = z.infer<typeof deliveryPolicySchema>;
export type AppProject = z.infer<typeof appProjectSchema>;

/** The name Berth gives the cluster it runs in, and its in-cluster URL. */
export const IN_CLUSTER_NAME = 'in-cluster';
export const IN_CLUSTER_SERVER = 'https://kubernetes.default.svc';
