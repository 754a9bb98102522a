/**
 * The scanning service's SBOM hook (ScanService.sbom): documents rendered
 * from stored inventories, and regeneration + attachment as a referrer. The
 * image's package URL names Berth's registry host (from externalUrl).
 */
import type { Registry } from '../../registry/registry.ts';
import type { ScanService, SbomDocuments } from '../scanning/service.ts';
import { attachSbom } from './attach.ts';
import { sbomDocument } from './index.ts';

export function sbomDocuments(registry: Registry, service: Pick<ScanService, 'inventories'>, baseUrl: string): SbomDocuments {
  const host = new URL(baseUrl).host;
  const project = (repository: string): string => repository.split('/', 1)[0]!;
  return {
    render: (format, inventories, subject) => sbomDocument(format, inventories, { ...subject, registry: host }),
    async attach(repository, digest, format, actor) {
      const stored = await service.inventories(project(repository), repository, digest);
      const doc = sbomDocument(format, stored.inventories, { repository: stored.repository, digest: stored.digest, tags: stored.tags, registry: host });
      const attached = await attachSbom(registry, stored.repository, stored.digest, format, doc, { actor });
      return { digest: attached.digest };
    },
  };
}
