/**
 * The language-ecosystem catalogers (npm, Python, Java, Rust, .NET, PHP,
 * Ruby), one file each beside this one; the layer reader runs them after the
 * OS and binary catalogers.
 */
import type { Cataloger } from '../cataloger.ts';

export const languageCatalogers: readonly Cataloger[] = [];
