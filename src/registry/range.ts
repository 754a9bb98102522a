/** HTTP byte ranges for blob reads and upload chunks. */

export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

/**
 * Parses a `Range: bytes=...` request header against a blob of `size` bytes.
 * Returns undefined when the header is absent or not a single byte range (the
 * whole blob is served then, as RFC 9110 allows), or 'unsatisfiable' for a
 * range outside the blob or an inverted one such as `500-0`.
 */
export function parseRangeHeader(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  let end = m[2] === '' ? size - 1 : Number(m[2]);
  // An inverted range is invalid; RFC 9110 lets a server reject it.
  if (m[2] !== '' && end < start) return 'unsatisfiable';
  if (start >= size) return 'unsatisfiable';
  end = Math.min(end, size - 1);
  return { start, end };
}

/**
 * Parses an upload chunk's `Content-Range` (`start-end`, optionally with a
 * `bytes ` prefix or a `/total` suffix). Returns undefined when malformed.
 */
export function parseContentRange(header: string): ByteRange | undefined {
  const m = /^(?:bytes[ =])?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/.exec(header.trim());
  if (!m) return undefined;
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start) return undefined;
  return { start, end };
}
