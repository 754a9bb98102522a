/**
 * The catalogers an analysis runs, in order: OS package databases, then
 * binaries, then the language ecosystems (catalogers/language.ts).
 */
import type { Cataloger } from '../cataloger.ts';
import { apkCataloger } from './apk.ts';
import { dpkgCataloger } from './dpkg.ts';
import { goBinaryCataloger } from './go-binary.ts';
import { languageCatalogers } from './language.ts';
import { rpmCataloger } from './rpm.ts';
import { rustBinaryCataloger } from './rust-binary.ts';

export const osCatalogers: readonly Cataloger[] = [dpkgCataloger, apkCataloger, rpmCataloger];

export const binaryCatalogers: readonly Cataloger[] = [goBinaryCataloger, rustBinaryCataloger];

export const defaultCatalogers: readonly Cataloger[] = [...osCatalogers, ...binaryCatalogers, ...languageCatalogers];
