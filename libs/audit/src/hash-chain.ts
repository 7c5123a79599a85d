import { createHash } from 'node:crypto';
import { canonicalJson } from '#domain/index.js';

/** prev_hash of a tenant stream's first event. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * The link of one event in its tenant's chain: SHA-256 over the canonical JSON (sorted keys,
 * bigints as strings) of the event's type, data and metadata without `hash`, and the previous
 * event's hash. Changing any byte of any earlier event changes every hash after it.
 */
export function eventHash(type: string, data: unknown, metadata: Record<string, unknown>, prevHash: string): string {
  return linkEvent(type, data, metadata, prevHash).hash;
}

/**
 * The event's hash, and the canonical JSON of its data computed on the way (valid JSON of the
 * same value, which the writer appends instead of stringifying the data a second time). The
 * hashed text is `canonicalJson({type, data, metadata, prev_hash})` written out from its
 * parts: the four keys in their sorted order.
 */
export function linkEvent(type: string, data: unknown, metadata: Record<string, unknown>, prevHash: string): { hash: string; dataJson: string } {
  const dataJson = canonicalJson(data);
  const hashed =
    data === undefined
      ? canonicalJson({ type, data, metadata: withoutHash(metadata), prev_hash: prevHash })
      : `{"data":${dataJson},"metadata":${canonicalJson(withoutHash(metadata))},"prev_hash":${canonicalJson(prevHash)},"type":${canonicalJson(type)}}`;
  return { hash: createHash('sha256').update(hashed).digest('hex'), dataJson };
}

function withoutHash(metadata: Record<string, unknown>): Record<string, unknown> {
  if (!('hash' in metadata)) return metadata;
  const { hash: _ignored, ...rest } = metadata;
  return rest;
}

export interface ChainLink {
  position: bigint | string;
  id: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
}

export type ChainCheck = { ok: true; head: string; events: number } | { ok: false; position: string; event_id: string; reason: string; events: number };

/**
 * Walks a chain from `prevHash` and reports the first event whose links do not hold. An event
 * that states its `prev_hash` (every event before 2026-12-05) must state the previous event's
 * hash; one that does not (the lean metadata, event-envelope.ts) is hashed over the previous
 * event's hash all the same, so its own hash holds only if it was linked to exactly that one.
 */
export function verifyChain(links: Iterable<ChainLink>, prevHash = GENESIS_HASH): ChainCheck {
  let previous = prevHash;
  let events = 0;
  for (const link of links) {
    const broken = (reason: string): ChainCheck => ({ ok: false, position: String(link.position), event_id: link.id, reason, events });
    if (link.metadata.prev_hash !== undefined && link.metadata.prev_hash !== previous) return broken(`prev_hash ${String(link.metadata.prev_hash)} does not continue the chain at ${previous}`);
    const expected = eventHash(link.type, link.data, link.metadata, previous);
    if (link.metadata.hash !== expected) return broken(`hash ${String(link.metadata.hash)} does not match the event's content (${expected})`);
    previous = expected;
    events++;
  }
  return { ok: true, head: previous, events };
}
