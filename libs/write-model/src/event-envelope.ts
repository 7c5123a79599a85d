import { randomUUID } from 'node:crypto';
import { LedgerEvent, PolicyCheck, policyCheckLabels } from '#domain/index.js';
import { NewEvent } from '#event-store/index.js';
import { GENESIS_HASH, linkEvent } from '#audit/index.js';
import { CommandEnvelope } from './command-envelope.js';

/** A new event with the JSON its hash was computed over (the store writes that text as is). */
export type EnvelopedEvent = NewEvent & { serialized: { data: string; metadata: string } };

/**
 * The time a command is accepted at (`occurred_at` of its events): this process's clock, but
 * never earlier than the tenant's last event, so a tenant's log time never goes backwards even
 * across processes with skewed clocks, and "the balances as of T" is always a prefix of the
 * stream. (That the clock may be trusted at all is the writer's check, before this.)
 */
export function logTime(nowMs: number, lastOccurredAt: string | null): string {
  const local = new Date(nowMs).toISOString();
  return lastOccurredAt && lastOccurredAt > local ? lastOccurredAt : local;
}

/** A policy that ran for a command, as its events' evidence names it (`metadata.policies`). */
export interface PolicyEvidence {
  policy_id: string;
  name: string;
  type: PolicyCheck['type'];
  version: number;
  mode: PolicyCheck['mode'];
  outcome: PolicyCheck['outcome'];
  account_id: string;
  limit: PolicyCheck['limit'];
  attempted: string;
  used?: string;
  window_seconds?: number;
}

/** The checks a command's events carry: those the edge ran (tenant scope, role), then one per policy the decision ran. */
export interface Controls {
  policy: string[];
  policies: PolicyEvidence[];
}

const NO_POLICIES: PolicyEvidence[] = [];

export function controlsOf(edge: readonly string[], checks: readonly PolicyCheck[]): Controls {
  if (checks.length === 0) return { policy: [...edge], policies: NO_POLICIES };
  return {
    policy: [...edge, ...policyCheckLabels(checks)],
    policies: checks.map((c) => ({
      policy_id: c.policy_id,
      name: c.name,
      type: c.type,
      version: c.version,
      mode: c.mode,
      outcome: c.outcome,
      account_id: c.account_id,
      limit: c.limit,
      attempted: c.attempted,
      ...(c.used !== undefined ? { used: c.used, window_seconds: c.window_seconds } : {}),
    })),
  };
}

/**
 * A decided event as the log keeps it: its metadata (who asked, under which policy checks, the
 * idempotency key and request hash that make a retry a replay, the time, the command) and its
 * link into the tenant's hash chain, `hash` over the event and `prev_hash`, the hash of the
 * event before it (GENESIS_HASH for the first). Events must be enveloped in stream order.
 */
export function envelopeEvent(
  event: LedgerEvent,
  envelope: CommandEnvelope,
  occurredAt: string,
  chainHead: string | null,
  controls: Controls = { policy: envelope.metadata.policy, policies: NO_POLICIES },
): EnvelopedEvent {
  const prevHash = chainHead ?? GENESIS_HASH;
  const metadata: Record<string, unknown> = {
    tenant_id: envelope.tenant_id,
    ...envelope.metadata,
    policy: controls.policy,
    policies: controls.policies,
    idempotency_key: envelope.idempotency_key,
    request_hash: envelope.request_hash,
    occurred_at: occurredAt,
    command: envelope.command.type,
    prev_hash: prevHash,
  };
  const link = linkEvent(event.type, event.data, metadata, prevHash);
  metadata.hash = link.hash;
  // The canonical JSON the hash was computed over is the data's JSON too (jsonb keeps no key order).
  return { id: randomUUID(), type: event.type, data: event.data, metadata, serialized: { data: link.dataJson, metadata: JSON.stringify(metadata) } };
}
