/**
 * The language-ecosystem catalogers (npm, Python, Java, Rust, .NET, PHP,
 * Ruby), one file each beside this one; the layer reader runs them after the
 * OS and binary catalogers. After the last layer, the analyzer passes the
 * inventory's packages through `reconcileLanguagePackages` so a package both
 * declared in a lock file and installed counts once (reconcile.ts says why and
 * how, compared with syft).
 */
import type { Cataloger } from '../cataloger.ts';
import { cargoLockCataloger } from './cargo.ts';
import { dotnetDepsCataloger } from './dotnet.ts';
import { javaArchiveCataloger } from './java-archive.ts';
import { gemfileLockCataloger, gemspecCataloger } from './ruby.ts';
import { npmInstalledCataloger } from './npm-installed.ts';
import { npmLockCataloger, pnpmLockCataloger, yarnLockCataloger } from './npm-lock.ts';
import { composerInstalledCataloger, composerLockCataloger } from './php.ts';
import { pipfileLockCataloger, poetryLockCataloger, pythonDistCataloger, pythonRequirementsCataloger } from './python.ts';

export { DECLARED_CATALOGERS, reconcileLanguagePackages, type DeclaredPolicy } from './reconcile.ts';

export const languageCatalogers: readonly Cataloger[] = [
  npmInstalledCataloger,
  npmLockCataloger,
  yarnLockCataloger,
  pnpmLockCataloger,
  pythonDistCataloger,
  pythonRequirementsCataloger,
  poetryLockCataloger,
  pipfileLockCataloger,
  javaArchiveCataloger,
  cargoLockCataloger,
  dotnetDepsCataloger,
  composerInstalledCataloger,
  composerLockCataloger,
  gemspecCataloger,
  gemfileLockCataloger,
];
