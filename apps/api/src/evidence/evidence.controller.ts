import { Controller, Get, Param, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ChainHeadSigner } from '#audit/index.js';
import { findHold } from '#projections/holds/holds.queries.js';
import { findTransactionRow } from '#projections/transactions/transactions.queries.js';
import { ApiError } from '../http/api-error.js';
import { isUuid } from '../http/pagination.js';
import { Caller, type LedgerRequest, type TenantPrincipal } from '../http/request-context.js';
import { Allow, READERS } from '../http/roles.js';
import { Reads } from '../runtime/reads.js';
import { EvidenceService } from './evidence.service.js';
import { ApiRoute, MIN_POSITION_QUERY } from '../http/openapi.js';
import { CHAIN_HEAD, EVIDENCE, EVIDENCE_EXAMPLE, HOLD_EVIDENCE, HOLD_EVIDENCE_EXAMPLE, PUBLIC_KEY } from './evidence.openapi.js';

@ApiTags('evidence')
@ApiBearerAuth()
@Controller()
export class EvidenceController {
  constructor(
    private readonly signer: ChainHeadSigner,
    private readonly reads: Reads,
    private readonly evidence: EvidenceService,
  ) {}

  /** The transaction's posting event, with actor, scope, policy, intent, hash chain and signature. */
  @ApiRoute({ operationId: 'getTransactionEvidence', summary: "A transaction's audit evidence, verified now", ok: [200, EVIDENCE], example: EVIDENCE_EXAMPLE, errors: [404], query: MIN_POSITION_QUERY })
  @Get('evidence/transactions/:id')
  @Allow('read_evidence', 'admin', 'auditor')
  async transaction(@Param('id') id: string, @Query('min_position') minPosition: unknown, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest) {
    await this.reads.settle(caller, ['transactions'], minPosition);
    const found = isUuid(id) ? await findTransactionRow(this.reads.pool, id.toLowerCase()) : null;
    const transaction = await this.reads.ownedOrNotFound(caller, req, found, 'transaction', id, 'read_evidence');
    const [evidence] = await this.evidence.forPosition(caller.tenant_id, transaction.position);
    if (!evidence) throw ApiError.notFound('transaction', id);
    return evidence;
  }

  /** Evidence for a hold: its creation at the top level, and every event of its life in `events`. */
  @ApiRoute({ operationId: 'getHoldEvidence', summary: "A hold's audit evidence, every event of its life", ok: [200, HOLD_EVIDENCE], example: HOLD_EVIDENCE_EXAMPLE, errors: [404], query: MIN_POSITION_QUERY })
  @Get('evidence/holds/:id')
  @Allow('read_evidence', 'admin', 'auditor')
  async hold(@Param('id') id: string, @Query('min_position') minPosition: unknown, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest) {
    await this.reads.settle(caller, ['holds'], minPosition);
    const found = isUuid(id) ? await findHold(this.reads.pool, id.toLowerCase()) : null;
    const hold = await this.reads.ownedOrNotFound(caller, req, found, 'hold', id, 'read_evidence');
    // The hold's events are listed from the event feed: wait until it has every one the hold has seen.
    await this.reads.settle(caller, ['event_feed'], hold.position);
    const events = await this.evidence.forHold(caller.tenant_id, hold.id, hold.created_position);
    const all = events.every((e) => e.status === 'audit_ready');
    return {
      ...events[0],
      hold: { id: hold.id, status: hold.status, reference: hold.reference, account_id: hold.account_id, request_id: hold.evidence.request_id, expires_at: hold.expires_at },
      events,
      status: all ? 'audit_ready' : 'verification_failed',
    };
  }

  @ApiRoute({ operationId: 'getTenantPublicKey', summary: "The tenant's Ed25519 public key (PEM)", ok: [200, PUBLIC_KEY], example: { tenant_id: '5f1c1f7e-2b8a-4c55-a0a4-93a1d5a1e0c2', algorithm: 'ed25519', public_key: '-----BEGIN PUBLIC KEY-----\n...' } })
  @Get('tenants/me/public-key')
  @Allow('read_public_key', ...READERS)
  async publicKey(@Caller() caller: TenantPrincipal) {
    const key = await this.signer.publicKey(caller.tenant_id);
    return { tenant_id: caller.tenant_id, algorithm: 'ed25519', public_key: key };
  }

  /** Signs the tenant's current chain head now. */
  @ApiRoute({ operationId: 'getChainHead', summary: "Sign and answer the tenant's current chain head", ok: [200, CHAIN_HEAD], example: { tenant_id: '5f1c1f7e-2b8a-4c55-a0a4-93a1d5a1e0c2', stream_revision: null, hash: null } })
  @Get('tenants/me/chain-head')
  @Allow('read_chain_head', 'admin', 'auditor')
  async chainHead(@Caller() caller: TenantPrincipal) {
    const head = await this.signer.signCurrent(caller.tenant_id);
    return head ?? { tenant_id: caller.tenant_id, stream_revision: null, hash: null };
  }
}
