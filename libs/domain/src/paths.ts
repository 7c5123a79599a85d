/**
 * Account paths: an account's optional place in its tenant's tree, segments of [a-z0-9_-]
 * joined by ':' (`merchants:acme:settlement`), unique per tenant. A rollup over a prefix sums
 * every account at or under it, segment-wise: `merchants:acme` holds `merchants:acme:fees` but
 * not `merchants:acmex`.
 */

/** Segments per path: a rollup writes one node per segment of each account it touches. */
export const PATH_SEGMENTS_MAX = 16;
export const PATH_LENGTH_MAX = 255;
export const PATH_PATTERN = /^[a-z0-9_-]+(?::[a-z0-9_-]+)*$/;

export function isAccountPath(value: unknown): value is string {
  return typeof value === 'string' && value.length <= PATH_LENGTH_MAX && PATH_PATTERN.test(value) && value.split(':').length <= PATH_SEGMENTS_MAX;
}

/** Every node a path rolls up into, from the root down: `a:b:c` -> `a`, `a:b`, `a:b:c`. */
export function pathNodes(path: string): string[] {
  const segments = path.split(':');
  return segments.map((_, i) => segments.slice(0, i + 1).join(':'));
}
