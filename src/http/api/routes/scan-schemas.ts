/**
 * zod schemas of the scanning API's answers (Harbor's names where Harbor has
 * them); they mirror src/supply-chain/scanning/views.ts, and the OpenAPI
 * document (so the UI's generated types) comes from them.
 */
import { z } from 'zod';
import type { SEVERITIES } from '../../../supply-chain/types.ts';
import { VULNERABILITY_REPORT_MIME } from '../../../supply-chain/scanning/views.ts';

const time = z.string().nullable().describe('RFC 3339 time; null before it happened');
const severity = z.enum(['Unknown', 'Negligible', 'Low', 'Medium', 'High', 'Critical'] satisfies typeof SEVERITIES);
export const scanStatusSchema = z.enum(['Pending', 'Running', 'Success', 'Error']);
const overviewSeverity = z.enum(['Unknown', 'Negligible', 'Low', 'Medium', 'High', 'Critical', 'None']).describe('highest severity of the counted findings; None without findings');

export const scannerSchema = z.object({ name: z.string(), vendor: z.string(), version: z.string() });

export const scanSummarySchema = z.object({
  total: z.number().int().describe('findings counted (not_affected ones are listed but not counted)'),
  fixable: z.number().int().describe('counted findings with a fixed version'),
  summary: z.object({ Critical: z.number().int(), High: z.number().int(), Medium: z.number().int(), Low: z.number().int(), Negligible: z.number().int(), Unknown: z.number().int() }),
});

export const overviewSchema = z.object({
  report_id: z.string(),
  scan_status: scanStatusSchema,
  severity: overviewSeverity,
  duration: z.number().int().describe('seconds'),
  summary: scanSummarySchema,
  start_time: time,
  end_time: time,
  complete_percent: z.number().int(),
  scanner: scannerSchema.nullable(),
});

/** Harbor's scan_overview: keyed by the report MIME type; absent when the artifact was never scanned. */
export const scanOverviewSchema = z.object({ [VULNERABILITY_REPORT_MIME]: overviewSchema }).describe(`with with_scan_overview=true; the key is "${VULNERABILITY_REPORT_MIME}"`);

export const scanReportSchema = z.object({
  report_id: z.string(),
  scan_status: scanStatusSchema,
  severity: overviewSeverity,
  summary: scanSummarySchema,
  start_time: time,
  end_time: time,
  scanner: scannerSchema.nullable(),
  error: z.string().optional().describe('why the scan (or its last attempt) failed'),
  platforms: z.array(z.object({ digest: z.string(), os: z.string().nullable(), architecture: z.string().nullable(), distro: z.string().optional(), packages: z.number().int() })),
  skipped: z.array(z.object({ path: z.string(), layer: z.string().optional(), reason: z.string() })).describe('what the analyzer did not read, and why'),
});

export const vulnerabilitySchema = z.object({
  id: z.string().describe('the CVE id when there is one, else the advisory id'),
  aliases: z.array(z.string()),
  package: z.string(),
  package_type: z.string(),
  version: z.string().describe('installed version'),
  fix_version: z.string().optional(),
  status: z.enum(['affected', 'not_affected', 'will_not_fix', 'fix_deferred', 'end_of_life']),
  severity,
  cvss: z.object({ score: z.number(), vector: z.string(), version: z.string() }).optional(),
  description: z.string().optional(),
  links: z.array(z.string()),
  purl: z.string(),
  layer: z.string(),
  location: z.string(),
  sources: z.array(z.string()).describe('vulnerability data sources that produced it'),
});

export const packageSchema = z.object({
  name: z.string(),
  version: z.string(),
  type: z.string(),
  purl: z.string(),
  source: z.object({ name: z.string(), version: z.string() }).optional().describe('OS packages: the source package advisories name'),
  licenses: z.array(z.string()).optional(),
  location: z.string(),
  layer: z.string(),
  found_by: z.string(),
});

export const jobIdSchema = z.object({ job_id: z.string() });
export const queuedSchema = z.object({ queued: z.number().int().describe('artifacts whose scan was queued (one per digest)') });
