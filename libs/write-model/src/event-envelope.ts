import { randomUUID } from 'node:crypto';
import { holdsWhatPoliciesJudge, JudgedCheck, leanPosting, LedgerEvent, PolicyCheck, policyCheckLabels, policyChecksOf, postingOf, violatedChecksOf } from '#domain/index.js';
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

/**
 * The checks a command's events carry, as their metadata keeps them: `policy` the checks the edge
 * ran (tenant scope, role), then, only when the decision ran a policy check, `policy_revision`
 * (the stream revision the command was decided at: the policies in force are those the log held
 * up to it) and, only for checks that did not pass, `policy_violations` in full. What passed is
 * derived again when evidence is read (derivePolicyChecks), from that revision's policy versions,
 * the accounts and the event itself: events stay small, so a posting under ten policies costs
 * about what one under none does to hash, store and verify.
 *
 * An event that does not itself hold what was judged (a balance monitor's trigger follows the
 * posting that crossed) could not derive it, so it carries every check in full as `policies`, as
 * events did before (readers prefer a stored `policies` to a derived one: old events read the same).
 */
export interface Controls {
  policy: string[];
  policy_revision?: string;
  policy_violations?: PolicyEvidence[];
  policies?: PolicyEvidence[];
}

export function policyEvidenceOf(c: PolicyCheck): PolicyEvidence {
  return {
    policy_id: c.policy_id,
    name: c.name,
    type: c.type,
    version: c.version,
    mode: c.mode,
    outcome: c.outcome,
    account_id: c.account_id,
    limit: c.limit,
    attempted: c.attempted,
    ...(c.used !== undefined ? { used: c.used } : {}),
    ...(c.window_seconds !== undefined ? { window_seconds: c.window_seconds } : {}),
  };
}

/**
 * The controls of each event of one decided command (same order as `events`): compact for the
 * event that holds what the checks judged, in full for any other. `decidedAt` is the stream
 * revision of the last event before the command. `checksRun` checks ran; `judged` holds them all,
 * or only the violations when the events derive the rest (decideJudged keeps them so). Checks are
 * built in full (policyCheckOf) only for what is stored.
 */
export function controlsOf(edge: readonly string[], judged: readonly JudgedCheck[], events: readonly LedgerEvent[], decidedAt: bigint, checksRun = judged.length): Controls[] {
  if (checksRun === 0) {
    const plain: Controls = { policy: [...edge] };
    return events.map(() => plain);
  }
  let holding = 0;
  for (const event of events) if (holdsWhatPoliciesJudge(event)) holding++;
  let checks: PolicyCheck[] | null = null;
  return events.map((event) => {
    if (holding === 1 && holdsWhatPoliciesJudge(event)) {
      const compact: Controls = { policy: [...edge], policy_revision: decidedAt.toString() };
      const violations = violatedChecksOf(judged);
      if (violations !== null) compact.policy_violations = violations.map(policyEvidenceOf);
      return compact;
    }
    // A programming error (decideJudged keeps every check for such events), not evidence to leave short.
    if (judged.length !== checksRun) throw new Error(`${checksRun} policy checks ran but ${judged.length} were kept: an event that cannot derive them needs all`);
    checks ??= policyChecksOf(judged);
    return { policy: [...edge, ...policyCheckLabels(checks)], policies: checks.map(policyEvidenceOf) };
  });
}

/** What an event's metadata says about policy checks, as the log holds it (any format it ever had). */
export interface RecordedControls {
  policy?: string[];
  policies?: PolicyEvidence[];
  policy_revision?: string;
  policy_violations?: PolicyEvidence[];
}

/** The revision whose policies the evidence must be derived at, or null when the event's metadata holds all of it. */
export function derivationRevision(meta: RecordedControls): bigint | null {
  return meta.policies === undefined && meta.policy_revision !== undefined ? BigInt(meta.policy_revision) : null;
}

/**
 * The evidence's `policy` and `policies` for an event: stored in full (events before
 * derivation, and events that cannot derive theirs), or `derived` (derivePolicyChecks at
 * derivationRevision) with each stored violation in place of the check it records.
 */
export function evidenceControls(meta: RecordedControls, derived: readonly PolicyCheck[] | null): { policy: string[]; policies: PolicyEvidence[] } {
  const edge = meta.policy ?? [];
  if (meta.policies !== undefined || derived === null) return { policy: edge, policies: meta.policies ?? [] };
  const violations = meta.policy_violations ?? [];
  const policies = derived.map((c) => violations.find((v) => v.policy_id === c.policy_id && v.account_id === c.account_id) ?? policyEvidenceOf(c));
  return { policy: [...edge, ...policies.map((p) => `${checkNameOf(p.type)}.${p.outcome}`)], policies };
}

function checkNameOf(type: PolicyCheck['type']): PolicyCheck['check'] {
  return type === 'currency_allowlist' ? 'allowlist_check' : 'limit_check';
}

/**
 * A decided event as the log keeps it: its metadata (who asked, under which policy checks, the
 * idempotency key and request hash that make a retry a replay, the time, the command) and its
 * link into the tenant's hash chain, `hash` over the event and the hash of the event before it
 * (GENESIS_HASH for the first). Events must be enveloped in stream order.
 *
 * The metadata leaves out what the stream already says: the tenant (the stream is
 * `ledger-<tenant>`: tenantOf) and `prev_hash`, which is the previous event's stored `hash`. The
 * hash still covers the previous hash (linkEvent hashes it beside the metadata), so verifying
 * links each event to its predecessor's stored hash exactly as strongly (verifyChain); events
 * enveloped before 2026-12-05 carry both, read as stored.
 */
export function envelopeEvent(
  event: LedgerEvent,
  envelope: CommandEnvelope,
  occurredAt: string,
  chainHead: string | null,
  controls: Controls = { policy: envelope.metadata.policy },
): EnvelopedEvent {
  const prevHash = chainHead ?? GENESIS_HASH;
  const { actor, role, request_id, intent_id, ...asked } = envelope.metadata;
  // What is null is left out (readers take absent for null): most commands name no intent and no idempotency key.
  const metadata: Record<string, unknown> = {
    actor,
    role,
    request_id,
    ...(intent_id !== null ? { intent_id } : {}),
    ...asked,
    ...controls,
    ...(envelope.idempotency_key !== null ? { idempotency_key: envelope.idempotency_key } : {}),
    ...(envelope.request_hash !== null ? { request_hash: envelope.request_hash } : {}),
    occurred_at: occurredAt,
    command: envelope.command.type,
  };
  const data = storedDataOf(event);
  const link = linkEvent(event.type, data, metadata, prevHash);
  metadata.hash = link.hash;
  // The canonical JSON the hash was computed over is the data's JSON too (jsonb keeps no key order).
  return { id: randomUUID(), type: event.type, data, metadata, serialized: { data: link.dataJson, metadata: JSON.stringify(metadata) } };
}

/** An event's data as the log stores it: a posting in its lean form (stored-posting.ts), any other as decided. */
function storedDataOf(event: LedgerEvent): unknown {
  return event.type === 'ledger.entry.posted' ? leanPosting(postingOf(event.data)) : event.data;
}
