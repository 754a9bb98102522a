/**
 * The live details the resource tree carries per node (images, replicas,
 * pod phase and readiness, restarts, creation time) as label/value text, and
 * the short summary shown in a tree row (Argo CD shows the same at a glance).
 */

export interface NodeInfo {
  images?: string[] | undefined;
  replicas?: { ready: number; desired: number } | undefined;
  podPhase?: string | undefined;
  ready?: string | undefined;
  restarts?: number | undefined;
  createdAt?: string | undefined;
}

const asInfo = (info: unknown): NodeInfo => (info && typeof info === 'object' ? info : {});

export function infoEntries(info: unknown): [string, string][] {
  const i = asInfo(info);
  const out: [string, string][] = [];
  if (i.podPhase) out.push(['Phase', i.podPhase]);
  if (i.ready) out.push(['Ready', i.ready]);
  if (i.replicas) out.push(['Replicas ready', `${i.replicas.ready} of ${i.replicas.desired}`]);
  if (i.restarts !== undefined) out.push(['Restarts', String(i.restarts)]);
  if (i.images?.length) out.push(['Images', i.images.join(', ')]);
  if (i.createdAt) out.push(['Created', new Date(i.createdAt).toLocaleString()]);
  return out;
}

export function infoSummary(info: unknown): string {
  const i = asInfo(info);
  const parts: string[] = [];
  if (i.replicas) parts.push(`${i.replicas.ready}/${i.replicas.desired}`);
  if (i.podPhase) parts.push(i.podPhase);
  if (i.ready && !i.replicas) parts.push(`ready ${i.ready}`);
  if (i.restarts) parts.push(`${i.restarts} restart${i.restarts === 1 ? '' : 's'}`);
  return parts.join(' · ');
}
