import { Controller, Get, Param, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { findHold } from '../../../../projections/holds/holds.queries.js';
import { findTransaction } from '../../../../projections/transactions/transactions.queries.js';
import { ApiError } from '../http/api-error.js';
import { isUuid } from '../http/pagination.js';
import { Caller, type LedgerRequest, type TenantPrincipal } from '../http/request-context.js';
import { Allow, READERS } from '../http/roles.js';
import { LedgerRuntime } from '../runtime/ledger-runtime.js';
import { Reads } from '../runtime/reads.js';
import { EvidenceService } from './evidence.service.js';

@ApiTags('evidence')
@ApiBearerAuth()
@Controller()
export class EvidenceController {
  constructor(
    private readonly runtime: LedgerRuntime,
    private readonly reads: Reads,
    private readonly evidence: EvidenceService,
  ) {}

  /** The transaction's posting event, with actor, scope, policy, intent, hash chain and signature. */
  @Get('evidence/transactions/:id')
  @Allow('read_evidence', 'admin', 'auditor')
  async transaction(@Param('id') id: string, @Query('min_position') minPosition: unknown, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest) {
    await this.reads.settle(caller, ['transactions'], minPosition);
    const found = isUuid(id) ? await findTransaction(this.reads.pool, id.toLowerCase()) : null;
    await this.reads.ownedOrNotFound(caller, req, found, 'transaction', id, 'read_evidence');
    const [first, ...more] = await this.evidence.forTransaction(caller.tenant_id, id.toLowerCase());
    if (!first) throw ApiError.notFound('transaction', id);
    return more.length ? { ...first, events: [first, ...more] } : first;
  }

  /** Evidence for a hold: its creation at the top level, and every event of its life in `events`. */
  @Get('evidence/holds/:id')
  @Allow('read_evidence', 'admin', 'auditor')
  async hold(@Param('id') id: string, @Query('min_position') minPosition: unknown, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest) {
    await this.reads.settle(caller, ['holds'], minPosition);
    const found = isUuid(id) ? await findHold(this.reads.pool, id.toLowerCase()) : null;
    const hold = await this.reads.ownedOrNotFound(caller, req, found, 'hold', id, 'read_evidence');
    const events = await this.evidence.forHold(caller.tenant_id, id.toLowerCase());
    const all = events.every((e) => e.status === 'audit_ready');
    return {
      ...events[0],
      hold: { id: hold.id, status: hold.status, reference: hold.reference, account_id: hold.account_id, request_id: hold.evidence.request_id, expires_at: hold.expires_at },
      events,
      status: all ? 'audit_ready' : 'verification_failed',
    };
  }

  @Get('tenants/me/public-key')
  @Allow('read_public_key', ...READERS)
  async publicKey(@Caller() caller: TenantPrincipal) {
    const key = await this.runtime.signer.publicKey(caller.tenant_id);
    return { tenant_id: caller.tenant_id, algorithm: 'ed25519', public_key: key };
  }

  /** Signs the tenant's current chain head now. */
  @Get('tenants/me/chain-head')
  @Allow('read_chain_head', 'admin', 'auditor')
  async chainHead(@Caller() caller: TenantPrincipal) {
    const head = await this.runtime.signer.signCurrent(caller.tenant_id);
    return head ?? { tenant_id: caller.tenant_id, stream_revision: null, hash: null };
  }

  /** The runtime trace of an intent: accepted -> controlled -> ledgered -> synchronized -> evidenced, or where it was refused. */
  @Get('intents/:id')
  @Allow('read_intent', ...READERS)
  async intent(@Param('id') id: string, @Caller() caller: TenantPrincipal) {
    const states = await this.runtime.intents.states(caller.tenant_id, id);
    if (!states) throw ApiError.notFound('intent', id);
    const ledgered = [...states].reverse().find((s) => s.state === 'ledgered');
    const positions = (ledgered?.positions as string[] | undefined) ?? [];
    if (ledgered && positions.length) {
      const last = BigInt(positions[positions.length - 1]);
      if (!states.some((s) => s.state === 'synchronized')) {
        const { rows } = await this.runtime.pool.query(`select min(position)::text as p from projection_checkpoints where name not like '%@%'`);
        if (rows[0].p && BigInt(rows[0].p) >= last) {
          const synchronized = { state: 'synchronized' as const, at: new Date().toISOString(), position: last.toString(), note: 'observed at this time' };
          await this.runtime.intents.record(caller.tenant_id, id, synchronized);
          states.push(synchronized);
        }
      }
      // The path is ordered: evidence is recorded once the intent is synchronized.
      if (states.some((s) => s.state === 'synchronized') && !states.some((s) => s.state === 'evidenced')) {
        let head = await this.runtime.signer.covering(caller.tenant_id, last);
        if (!head) {
          await this.runtime.signer.signCurrent(caller.tenant_id);
          head = await this.runtime.signer.covering(caller.tenant_id, last);
        }
        if (head?.verified) {
          const evidenced = { state: 'evidenced' as const, at: head.signed_at ?? new Date().toISOString(), chain_hash: head.hash, stream_revision: head.stream_revision, signature: head.signature };
          await this.runtime.intents.record(caller.tenant_id, id, evidenced);
          states.push(evidenced);
        }
      }
    }
    return { id, states };
  }
}
