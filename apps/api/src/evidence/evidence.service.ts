import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { ChainBrokenError, ChainHeadSigner, eventHash, GENESIS_HASH, IntentState, IntentTrace, verifyChain } from '#audit/index.js';
import { activePoliciesOf, dataForConsumers, derivePolicyChecks, LedgerEvent, outflowsOf, PolicyCheck } from '#domain/index.js';
import type { EventStore, RecordedEvent } from '#event-store/index.js';
import { occurredAt } from '#projection-runtime/index.js';
import { accountScopes } from '#projections/accounts/accounts.queries.js';
import { policyVersionsAt } from '#projections/policies/policies.queries.js';
import { derivationRevision, evidenceControls, ledgerStream } from '#write-model/index.js';
import { ApiError } from '../http/api-error.js';
import { EVENT_STORE } from '../runtime/injection-tokens.js';
import { ProjectionWatermark } from '../runtime/projection-watermark.js';

/** The read models evidence derives policy checks from (policy versions, accounts' scope fields). */
const DERIVATION_READ_MODELS = ['policies', 'accounts'];

/** Events re-hashed between an event and the signed head that covers it, at most. */
export const EVIDENCE_CHAIN_WALK_MAX = 10_000;

const SQL = {
  /**
   * A hold's events (created, captured by a posting, released/expired), from the tenant's event
   * feed, in log order: by the numeric column (`order by position` would sort the text alias, "10" before "9").
   */
  positionsOfHold: `select position::text as position from event_feed
                     where tenant_id = $1 and hold_id = $3 and position >= $2 order by event_feed.position`,
};

export interface EventEvidence {
  actor: string;
  scope: { tenant_id: string };
  timestamp: string;
  policy: string[];
  /** The tenant policies the decision ran, with what each saw (none when no policy applied). */
  policies: unknown[];
  intent_id: string | null;
  ledger_entry: { event_id: string; type: string; position: string; stream_revision: string; data: unknown };
  hash: string;
  prev_hash: string;
  signature: 'verified' | 'failed';
  signed_head: { stream_revision: string; position: string; hash: string; signature: string; signed_at?: string } | null;
  checks: { hash_matches_content: boolean; links_to_previous: boolean; chain_to_signed_head: boolean; signed_head_signature: boolean };
  status: 'audit_ready' | 'verification_failed';
}

/**
 * Audit evidence for an event, verified now against the stored chain: its hash recomputes from
 * its content, it links to the previous event, the chain continues intact to a signed head, and
 * that head's Ed25519 signature verifies with the tenant's public key.
 */
@Injectable()
export class EvidenceService {
  constructor(
    private readonly pool: Pool,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly signer: ChainHeadSigner,
    private readonly intents: IntentTrace,
    private readonly watermark: ProjectionWatermark,
  ) {}

  /** Evidence for the event at a transaction's position (the read model already told where it is). */
  async forPosition(tenantId: string, position: string): Promise<EventEvidence[]> {
    return this.forPositions(tenantId, [position]);
  }

  async forHold(tenantId: string, holdId: string, createdPosition: string): Promise<EventEvidence[]> {
    const { rows } = await this.pool.query(SQL.positionsOfHold, [tenantId, createdPosition, holdId]);
    return this.forPositions(tenantId, rows.map((r) => r.position));
  }

  /**
   * An intent's recorded states, completed with the later ones as they become true: synchronized
   * once every projection is past its events (timestamped when first observed), then evidenced
   * once a verified signed head covers them. Null for an unknown intent.
   */
  async intentPath(tenantId: string, id: string): Promise<IntentState[] | null> {
    const states = await this.intents.states(tenantId, id);
    if (!states) return null;
    const ledgered = [...states].reverse().find((s) => s.state === 'ledgered');
    const positions = (ledgered?.positions as string[] | undefined) ?? [];
    if (!ledgered || positions.length === 0) return states;
    return this.observe(tenantId, id, states, BigInt(positions[positions.length - 1]));
  }

  /** The states kept in the trace table for an intent id (null: none). */
  traceOf(tenantId: string, id: string): Promise<IntentState[] | null> {
    return this.intents.states(tenantId, id);
  }

  /**
   * The observed states of an intent whose events end at `last`, added to `states` (and kept in
   * the trace table, so each keeps the time it was first seen) as they become true: synchronized,
   * then evidenced. Both for traced commands and for the runtime's intents (POST /intents).
   */
  async observe(tenantId: string, id: string, states: IntentState[], last: bigint): Promise<IntentState[]> {
    const has = (name: IntentState['state']) => states.some((s) => s.state === name);
    const record = async (state: IntentState) => {
      await this.intents.record(tenantId, id, state);
      states.push(state);
    };
    if (!has('synchronized')) {
      const { rows } = await this.pool.query(`select min(position)::text as p from projection_checkpoints where name not like '%@%'`);
      if (rows[0].p && BigInt(rows[0].p) >= last) {
        await record({ state: 'synchronized', at: new Date().toISOString(), position: last.toString(), note: 'observed at this time' });
      }
    }
    // The path is ordered: evidence is recorded once the intent is synchronized.
    if (has('synchronized') && !has('evidenced')) {
      const head = (await this.signer.covering(tenantId, last)) ?? (await this.signNowAndFind(tenantId, last));
      if (head?.verified) {
        await record({ state: 'evidenced', at: head.signed_at ?? new Date().toISOString(), chain_hash: head.hash, stream_revision: head.stream_revision, position: head.position, signature: head.signature });
      }
    }
    return states;
  }

  /** No signed head covers the position yet: sign the current one, unless the chain does not verify (then none covers it). */
  private async signNowAndFind(tenantId: string, position: bigint) {
    try {
      await this.signer.signCurrent(tenantId);
    } catch (error) {
      if (!(error instanceof ChainBrokenError)) throw error;
    }
    return this.signer.covering(tenantId, position);
  }

  private async forPositions(tenantId: string, positions: string[]): Promise<EventEvidence[]> {
    const result: EventEvidence[] = [];
    for (const position of positions) {
      const event = await this.store.readAt(BigInt(position));
      // Only the tenant's own ledger stream: a position is never evidence for another tenant.
      if (event && event.stream_id === ledgerStream(tenantId)) result.push(await this.verify(tenantId, event));
    }
    return result;
  }

  /** The checks an event's decision ran (`policy` labels and `policies` detail), as its evidence names them. */
  async controlsOf(tenantId: string, event: RecordedEvent): Promise<{ policy: string[]; policies: unknown[] }> {
    return evidenceControls(event.metadata, await this.derivedChecks(tenantId, event));
  }

  /**
   * The policy checks an event's decision ran, derived again (derivePolicyChecks) from the policy
   * versions in force at the revision its metadata names and its accounts' records; null when
   * its metadata holds them all (see event-envelope.ts). Both read models are waited for up to
   * the event, so they hold every policy version and account it was decided with.
   */
  private async derivedChecks(tenantId: string, event: RecordedEvent): Promise<PolicyCheck[] | null> {
    const revision = derivationRevision(event.metadata);
    if (revision === null) return null;
    if (!(await this.watermark.waitFor(tenantId, DERIVATION_READ_MODELS, event.position))) {
      throw new ApiError(503, 'unavailable', 'read models have not caught up with this event yet; retry shortly', { projections: DERIVATION_READ_MODELS });
    }
    const active = activePoliciesOf(await policyVersionsAt(this.pool, tenantId, revision));
    const decided = { type: event.type, data: event.data } as LedgerEvent;
    const ids = (outflowsOf(decided, active.limits_by_currency) ?? []).map((o) => o.account_id.toLowerCase());
    const accounts = ids.length === 0 ? new Map() : await accountScopes(this.pool, tenantId, ids);
    return derivePolicyChecks(active, (id) => {
      const account = accounts.get(id.toLowerCase());
      return account && { ...account, id };
    }, [decided]);
  }

  private async verify(tenantId: string, event: RecordedEvent): Promise<EventEvidence> {
    const store = this.store;
    const meta = event.metadata;
    const revision = event.revision;
    // The previous event's stored hash: events since 2026-12-05 do not repeat it as prev_hash
    // (event-envelope.ts) but are hashed over it, so for them the link holds exactly when the hash does.
    const [previous] = revision === 0n ? [] : await store.readStream(event.stream_id, { fromRevision: revision - 1n, maxCount: 1 });
    const previousHash = revision === 0n ? GENESIS_HASH : (previous?.metadata.hash as string | undefined);
    const prevHash = (meta.prev_hash as string | undefined) ?? previousHash;
    const hashMatches = prevHash !== undefined && eventHash(event.type, event.data, meta, prevHash) === meta.hash;
    const linksToPrevious = previousHash !== undefined && prevHash === previousHash && (meta.prev_hash !== undefined || hashMatches);
    const head = (await this.signer.covering(tenantId, event.position)) ?? (await this.signNowAndFind(tenantId, event.position));
    let chainToHead = false;
    if (head) {
      const distance = BigInt(head.stream_revision) - revision;
      if (distance >= 0n && distance <= BigInt(EVIDENCE_CHAIN_WALK_MAX)) {
        const range = await store.readStream(event.stream_id, { fromRevision: revision + 1n, maxCount: Number(distance) });
        const walk = verifyChain(range, meta.hash);
        chainToHead = walk.ok && walk.head === head.hash;
      }
    }
    const controls = evidenceControls(meta, await this.derivedChecks(tenantId, event));
    const signatureOk = Boolean(head?.verified);
    const verified = hashMatches && linksToPrevious && chainToHead && signatureOk;
    return {
      actor: meta.actor,
      scope: { tenant_id: tenantId },
      timestamp: occurredAt(event),
      policy: controls.policy,
      policies: controls.policies,
      intent_id: meta.intent_id ?? null,
      ledger_entry: { event_id: event.id, type: event.type, position: event.position.toString(), stream_revision: revision.toString(), data: dataForConsumers(event.type, event.data) },
      hash: meta.hash,
      prev_hash: prevHash ?? '',
      signature: verified ? 'verified' : 'failed',
      signed_head: head ? { stream_revision: head.stream_revision, position: head.position, hash: head.hash, signature: head.signature, signed_at: head.signed_at } : null,
      checks: { hash_matches_content: hashMatches, links_to_previous: linksToPrevious, chain_to_signed_head: chainToHead, signed_head_signature: signatureOk },
      status: verified ? 'audit_ready' : 'verification_failed',
    };
  }
}
