/**
 * Doublestar patterns over repository and tag names, with the semantics of
 * Harbor's selectors (bmatcuk/doublestar): `*` matches within one path
 * segment, `**` across segments, `?` one character, `[a-z]` a class,
 * `{a,b}` alternatives; dots are ordinary characters. Immutable tag rules,
 * trust policies and (later) retention rules all match names through here,
 * so one pattern means the same thing everywhere.
 */
import picomatch from 'picomatch';

/** Patterns longer than this are refused: they come from API input. */
export const MAX_PATTERN_LENGTH = 512;

export class PatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PatternError';
  }
}

const compiled = new Map<string, (name: string) => boolean>();

/** Throws PatternError for a pattern that cannot be compiled or is too long. */
export function assertPattern(pattern: string): void {
  matcher(pattern);
}

/** Whether `name` matches the doublestar `pattern`. Compiled matchers are cached (bounded). */
export function matchesPattern(pattern: string, name: string): boolean {
  return matcher(pattern)(name);
}

function matcher(pattern: string): (name: string) => boolean {
  let m = compiled.get(pattern);
  if (m) return m;
  if (pattern.length === 0) throw new PatternError('a pattern must not be empty');
  if (pattern.length > MAX_PATTERN_LENGTH) throw new PatternError(`a pattern must be at most ${MAX_PATTERN_LENGTH} characters`);
  try {
    m = picomatch(pattern, { dot: true, nonegate: true, noextglob: true, strictSlashes: true });
  } catch (err) {
    throw new PatternError(`invalid pattern ${JSON.stringify(pattern)}: ${(err as Error).message}`);
  }
  if (compiled.size >= 1_000) compiled.clear();
  compiled.set(pattern, m);
  return m;
}
