/** The SBOM unit's public face: the two writers, the referrer attachment and the format names. */
import type { Inventory } from '../types.ts';
import type { SbomFormat, SbomOptions, SbomSubject } from './common.ts';
import { toCycloneDx } from './cyclonedx.ts';
import { toSpdx } from './spdx.ts';

export { toCycloneDx } from './cyclonedx.ts';
export { toSpdx } from './spdx.ts';
export { attachSbom, GENERATOR_ANNOTATION, type AttachedSbom } from './attach.ts';
export { SBOM_MEDIA_TYPES, isSbomFormat, type SbomFormat, type SbomOptions, type SbomSubject } from './common.ts';

/** The document of `format` for the inventories of one artifact. */
export function sbomDocument(format: SbomFormat, inventories: readonly Inventory[], subject: SbomSubject, options?: SbomOptions): object {
  return format === 'spdx' ? toSpdx(inventories, subject, options) : toCycloneDx(inventories, subject, options);
}
