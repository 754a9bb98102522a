/** Shapes of the delivery API's answers, taken from the generated OpenAPI types so they cannot drift. */
import type { paths } from '../api/schema';

type Ok<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { responses: { 200: { content: { 'application/json': infer T } } } } ? T : never;

export type Application = Ok<'/api/v1/applications/{name}', 'get'>;
export type AppListItem = Ok<'/api/v1/applications', 'get'>[number];
export type ResourceDiff = Ok<'/api/v1/applications/{name}/diff', 'get'>[number];
export type HistoryEntry = Ok<'/api/v1/applications/{name}/history', 'get'>[number];
export type Operation = Ok<'/api/v1/applications/{name}/operations', 'get'>[number];
export type OperationState = NonNullable<NonNullable<Application['status']>['operationState']>;
export type ResourceKey = ResourceDiff['key'];
export type SyncBody = NonNullable<paths['/api/v1/applications/{name}/sync']['post']['requestBody']>['content']['application/json'];
export type SyncOption = NonNullable<SyncBody['syncOptions']>[number];

export const keyText = (k: { group: string; kind: string; namespace: string; name: string }): string =>
  `${k.group ? `${k.group}/` : ''}${k.kind} ${k.namespace ? `${k.namespace}/` : ''}${k.name}`;
export const sameKey = (a: ResourceKey, b: ResourceKey): boolean => a.group === b.group && a.kind === b.kind && a.namespace === b.namespace && a.name === b.name;
export type CreateBody = NonNullable<paths['/api/v1/applications']['post']['requestBody']>['content']['application/json'];
export type ClusterBody = NonNullable<paths['/api/v1/clusters']['post']['requestBody']>['content']['application/json'];
export type GitRepoBody = NonNullable<paths['/api/v1/git-repositories']['post']['requestBody']>['content']['application/json'];
