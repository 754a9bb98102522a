/**
 * Splits /v2 paths into endpoints. Names may contain slashes and even the
 * words `manifests` or `blobs`, so the endpoint is matched at the end of the
 * path and everything before it is the (greedy) repository name. The name is
 * not URL-decoded: an encoded `..` stays invalid. References are decoded.
 */
export type V2Route =
  | { kind: 'base' }
  | { kind: 'catalog' }
  | { kind: 'tags'; name: string }
  | { kind: 'manifest'; name: string; reference: string }
  | { kind: 'blob'; name: string; digest: string }
  | { kind: 'upload-start'; name: string }
  | { kind: 'upload'; name: string; id: string }
  | { kind: 'referrers'; name: string; digest: string }
  | { kind: 'unknown'; path: string };

const PATTERNS: [RegExp, (m: RegExpExecArray) => V2Route][] = [
  [/^\/v2\/(.+)\/tags\/list$/, (m) => ({ kind: 'tags', name: m[1]! })],
  [/^\/v2\/(.+)\/manifests\/([^/]+)$/, (m) => ({ kind: 'manifest', name: m[1]!, reference: decode(m[2]!) })],
  [/^\/v2\/(.+)\/blobs\/uploads\/?$/, (m) => ({ kind: 'upload-start', name: m[1]! })],
  [/^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/, (m) => ({ kind: 'upload', name: m[1]!, id: decode(m[2]!) })],
  [/^\/v2\/(.+)\/blobs\/([^/]+)$/, (m) => ({ kind: 'blob', name: m[1]!, digest: decode(m[2]!) })],
  [/^\/v2\/(.+)\/referrers\/([^/]+)$/, (m) => ({ kind: 'referrers', name: m[1]!, digest: decode(m[2]!) })],
];

export function matchRoute(path: string): V2Route {
  if (path === '/v2' || path === '/v2/') return { kind: 'base' };
  if (path === '/v2/_catalog') return { kind: 'catalog' };
  for (const [re, build] of PATTERNS) {
    const m = re.exec(path);
    if (m) return build(m);
  }
  return { kind: 'unknown', path };
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
