/**
 * zod schemas of the registry browsing API's answers (Harbor's field names):
 * the OpenAPI document, and so the UI's generated types, come from these.
 * They mirror src/registry/artifact-types.ts.
 */
import { z } from 'zod';
import { scanOverviewSchema } from './scan-schemas.ts';

const time = z.string().describe('RFC 3339 time');
const stringMap = z.record(z.string(), z.string());

export const repositorySchema = z.object({
  name: z.string().describe('full name, <project>/<repository>'),
  project_name: z.string(),
  description: z.string(),
  artifact_count: z.number().int().describe('listed artifacts: index children and referrers are not counted'),
  pull_count: z.number().int(),
  creation_time: time,
  update_time: time,
});

export const platformSchema = z.object({
  os: z.string(),
  architecture: z.string(),
  variant: z.string().optional(),
  os_version: z.string().optional(),
});

export const tagSchema = z.object({ name: z.string(), push_time: time });

const artifactFields = {
  digest: z.string(),
  type: z.enum(['IMAGE', 'INDEX', 'OTHER']),
  media_type: z.string().describe("the manifest's media type"),
  artifact_type: z.string().nullable().describe('artifactType, or the config media type of an image'),
  repository_name: z.string(),
  project_name: z.string(),
  size: z.number().int().describe('manifest + referenced blobs (+ children of an index)'),
  push_time: time,
  pull_time: time.nullable().describe('null when never pulled'),
  pull_count: z.number().int(),
  tags: z.array(tagSchema).nullable().describe('null with with_tag=false'),
  annotations: stringMap,
  platforms: z.array(platformSchema).describe("platforms of an index's children"),
};

export const artifactSchema = z.object({
  ...artifactFields,
  labels: stringMap.nullable().optional().describe("the config's Labels, with with_label=true"),
  scan_overview: scanOverviewSchema.optional(),
});

export const configSummarySchema = z.object({
  os: z.string().nullable(),
  architecture: z.string().nullable(),
  variant: z.string().nullable(),
  created: z.string().nullable(),
  author: z.string().nullable(),
  labels: stringMap,
  entrypoint: z.array(z.string()).nullable(),
  cmd: z.array(z.string()).nullable(),
  working_dir: z.string().nullable(),
  env_count: z.number().int(),
  exposed_ports: z.array(z.string()),
});

export const layerSchema = z.object({ digest: z.string(), media_type: z.string(), size: z.number().int() });

export const childSchema = z.object({ digest: z.string(), media_type: z.string(), size: z.number().int(), platform: platformSchema.nullable() });

export const referrerSchema = z.object({
  digest: z.string(),
  subject: z.string().describe('the digest this referrer refers to: the artifact or an earlier referrer'),
  depth: z.number().int().describe('1 for direct referrers'),
  media_type: z.string(),
  artifact_type: z.string().nullable(),
  size: z.number().int(),
  push_time: time,
  annotations: stringMap,
});

export const artifactDetailSchema = z.object({
  ...artifactFields,
  labels: stringMap.nullable(),
  config: configSummarySchema.nullable(),
  config_digest: z.string().nullable(),
  layers: z.array(layerSchema),
  references: z.array(childSchema).describe('children of an index'),
  referrers: z.array(referrerSchema).describe('the referrers tree, depth first'),
  subject: z.string().nullable().describe('the digest this artifact refers to, when it is a referrer'),
  scan_overview: scanOverviewSchema.optional(),
});

/** `repository` is the name within the project; `a%2Fb` and Harbor's double-encoded `a%252Fb` both mean `a/b`. */
export const repositoryParams = z.object({
  project: z.string().min(1).max(255),
  repository: z
    .string()
    .min(1)
    .max(255)
    .describe("the name within the project, '/' encoded as %2F (Harbor's %252F accepted too)")
    .transform((s, ctx) => {
      if (!s.includes('%')) return s;
      try {
        return decodeURIComponent(s);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'invalid percent-encoding' });
        return z.NEVER;
      }
    }),
});

export const artifactParams = repositoryParams.extend({ reference: z.string().min(1).max(200).describe('a tag or a digest') });
export const tagParams = artifactParams.extend({ tag: z.string().min(1).max(128) });
