/**
 * Harbor's Pluggable Scanner API v1.2 (github.com/goharbor/pluggable-scanner-spec,
 * api/spec/scanner-adapter-openapi-v1.2.yaml at d898c3d): its MIME types and
 * the shapes of its messages, as zod schemas shared by Berth's client of
 * external adapters (engine.ts) and Berth's own adapter (http/scanner-adapter.ts).
 * Unknown fields are tolerated (the spec grows by adding fields).
 */
import { z } from 'zod';

export const ScannerMime = {
  metadata: 'application/vnd.scanner.adapter.metadata+json; version=1.1',
  metadataV10: 'application/vnd.scanner.adapter.metadata+json; version=1.0',
  scanRequest: 'application/vnd.scanner.adapter.scan.request+json; version=1.1',
  scanRequestV10: 'application/vnd.scanner.adapter.scan.request+json; version=1.0',
  scanResponse: 'application/vnd.scanner.adapter.scan.response+json; version=1.0',
  error: 'application/vnd.scanner.adapter.error+json; version=1.0',
  vulnReport: 'application/vnd.security.vulnerability.report; version=1.1',
  vulnReportHarbor: 'application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0',
  sbomReport: 'application/vnd.security.sbom.report+json; version=1.0',
} as const;

/** Artifact types the spec's capabilities consume (image manifests). */
export const CONSUMED_MIME_TYPES = ['application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json'] as const;

export const SBOM_MEDIA_TYPES_SPEC = ['application/spdx+json', 'application/vnd.cyclonedx+json'] as const;

/** `type/subtype` of a MIME type, lowercased, without parameters. */
export function mimeBase(value: string): string {
  return (value.split(';')[0] ?? '').trim().toLowerCase();
}

/** The `version` parameter of a MIME type, when given. */
export function mimeVersion(value: string): string | undefined {
  const m = /;\s*version\s*=\s*"?([^";\s]+)"?/i.exec(value);
  return m?.[1];
}

/** Whether two MIME types name the same type and version (case and spacing aside). */
export function sameMime(a: string, b: string): boolean {
  return mimeBase(a) === mimeBase(b) && mimeVersion(a) === mimeVersion(b);
}

export const severitySchema = z.enum(['Unknown', 'Negligible', 'Low', 'Medium', 'High', 'Critical']);

export const scannerSchema = z.object({ name: z.string().max(255), vendor: z.string().max(255), version: z.string().max(255) });

export const capabilitySchema = z.looseObject({
  type: z.enum(['vulnerability', 'sbom']).optional(),
  consumes_mime_types: z.array(z.string().max(255)).max(50),
  produces_mime_types: z.array(z.string().max(255)).max(50),
  additional_attributes: z.record(z.string(), z.unknown()).optional(),
});

export const metadataSchema = z.looseObject({
  scanner: scannerSchema,
  capabilities: z.array(capabilitySchema).max(20),
  properties: z.record(z.string(), z.string().max(2048)).optional(),
});
export type ScannerMetadata = z.infer<typeof metadataSchema>;

export const scanRequestSchema = z.looseObject({
  registry: z.looseObject({ url: z.string().min(1).max(2048), authorization: z.string().max(16_384).optional() }),
  artifact: z.looseObject({
    repository: z.string().min(1).max(255),
    digest: z.string().min(1).max(200),
    tag: z.string().max(128).optional(),
    mime_type: z.string().max(255).optional(),
  }),
  enabled_capabilities: z
    .array(
      z.looseObject({
        type: z.enum(['vulnerability', 'sbom']),
        produces_mime_types: z.array(z.string().max(255)).max(20).optional(),
        parameters: z.looseObject({ sbom_media_types: z.array(z.string().max(255)).max(10).optional() }).nullable().optional(),
      }),
    )
    .max(10)
    .optional(),
});
export type ScanRequest = z.infer<typeof scanRequestSchema>;

export const scanResponseSchema = z.looseObject({ id: z.string().min(1).max(255) });

export const cvssSchema = z.looseObject({
  score_v3: z.number().optional(),
  score_v2: z.number().optional(),
  vector_v3: z.string().max(512).optional(),
  vector_v2: z.string().max(512).optional(),
});

export const vulnerabilityItemSchema = z.looseObject({
  id: z.string().max(255),
  package: z.string().max(1024),
  version: z.string().max(255),
  fix_version: z.string().max(255).optional(),
  severity: severitySchema,
  description: z.string().max(65_536).optional(),
  links: z.array(z.string().max(2048)).max(200).optional(),
  preferred_cvss: cvssSchema.optional(),
  cwe_ids: z.array(z.string().max(64)).max(100).optional(),
  vendor_attributes: z.record(z.string(), z.unknown()).optional(),
});
export type VulnerabilityItem = z.infer<typeof vulnerabilityItemSchema>;

export const vulnerabilityReportSchema = z.looseObject({
  generated_at: z.string().optional(),
  artifact: z.looseObject({ repository: z.string().optional(), digest: z.string().optional(), tag: z.string().optional(), mime_type: z.string().optional() }).optional(),
  scanner: scannerSchema.optional(),
  severity: severitySchema.optional(),
  vulnerabilities: z.array(vulnerabilityItemSchema).max(200_000),
});
export type VulnerabilityReport = z.infer<typeof vulnerabilityReportSchema>;

export const errorResponseSchema = z.object({ error: z.object({ message: z.string() }) });
