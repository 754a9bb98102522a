/** Shapes of the platform API's answers, from the generated OpenAPI types. */
import type { paths } from '../api/schema';

type Ok<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { responses: { 200: { content: { 'application/json': infer T } } } } ? T : never;
type Created<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { responses: { 201: { content: { 'application/json': infer T } } } } ? T : never;

export type Job = Ok<'/api/v1/jobs/{id}', 'get'>;
export type JobState = Job['state'];
export const JOB_STATES: readonly JobState[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];

export type WebhookPolicy = Ok<'/api/v1/projects/{project}/webhooks/{name}', 'get'>;
export type WebhookCreated = Created<'/api/v1/projects/{project}/webhooks', 'post'>;
export type WebhookCreateBody = NonNullable<paths['/api/v1/projects/{project}/webhooks']['post']['requestBody']>['content']['application/json'];
export type WebhookUpdateBody = NonNullable<paths['/api/v1/projects/{project}/webhooks/{name}']['put']['requestBody']>['content']['application/json'];
export type WebhookDelivery = Ok<'/api/v1/projects/{project}/webhooks/{name}/deliveries', 'get'>[number];
export type TargetInput = WebhookCreateBody['targets'][number];

export type VulnSource = Ok<'/api/v1/vulndb/sources', 'get'>[number];
export type VulnImportResult = Ok<'/api/v1/vulndb/imports', 'post'>;
