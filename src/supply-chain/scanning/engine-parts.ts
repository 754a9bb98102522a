/**
 * The default parts of Berth's own engine. Until the analyzer, the matcher
 * and the vulnerability database are wired in (their units land
 * separately), a scan fails with a clear reason instead of reporting an
 * empty, falsely clean inventory.
 */
import type { Db } from '../../platform/db/schema.ts';
import type { EngineParts } from './index.ts';

export function defaultEngineParts(_db: Db): EngineParts {
  return {
    analyze: () => Promise.reject(new Error('the image analyzer is not part of this build')),
    match: () => [],
    lookup: () => () => [],
  };
}
