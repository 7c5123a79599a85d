import { Injectable } from '@nestjs/common';
import { CommandEnvelope } from '#write-model/index.js';
import { renderPostedEvent } from '#projections/transactions/transactions.queries.js';
import { ApiError } from '../http/api-error.js';
import { toApiError } from '../http/error.filter.js';
import { commandEnvelope } from '../http/command-request.js';
import { LedgerRequest, TenantPrincipal } from '../http/request-context.js';
import { LedgerGateway } from '../runtime/ledger-gateway.js';
import { toPostTransaction } from './post-transaction.dto.js';
import { validatePostingItem } from './posting-body.js';
import { unstorableIn } from '../http/storable-text.js';

/** The batch's route, as Fastify matched it (the body parser refuses bad text per posting there). */
export const BATCH_ROUTE = '/transactions/batch';

/** TigerBeetle's limit: postings per batch request. */
export const BATCH_ITEMS_MAX = 8190;

type ItemResult = { status: number; body: unknown; replayed?: true };

@Injectable()
export class TransactionBatches {
  constructor(private readonly gateway: LedgerGateway) {}

  async post(body: unknown, caller: TenantPrincipal, request: LedgerRequest): Promise<{ results: ItemResult[] }> {
    const items = (body as { transactions?: unknown } | undefined)?.transactions;
    if (!Array.isArray(items) || items.length < 1 || items.length > BATCH_ITEMS_MAX) {
      throw ApiError.validation(`transactions must be an array of 1 to ${BATCH_ITEMS_MAX} postings`, {
        transactions: [`must be an array of 1 to ${BATCH_ITEMS_MAX} postings`],
      });
    }
    // Each item is validated on its own; a bad item answers 400 in its slot and the rest go ahead.
    const results: ItemResult[] = new Array(items.length);
    const envelopes: { index: number; envelope: CommandEnvelope }[] = [];
    items.forEach((item, index) => {
      try {
        if (typeof item !== 'object' || item === null || Array.isArray(item)) {
          throw ApiError.validation('each posting must be a JSON object', { [`transactions.${index}`]: ['must be a JSON object'] });
        }
        const unstorable = request.bodyHasSuspectEscape ? unstorableIn(item) : null;
        if (unstorable) {
          const message = `posting has a string that cannot be stored at ${unstorable}: NUL (\\u0000) or an unpaired UTF-16 surrogate`;
          throw ApiError.validation(message, { body: [message] });
        }
        const dto = validatePostingItem(item);
        envelopes.push({ index, envelope: commandEnvelope(request, caller, toPostTransaction(dto), dto, { headers: false }) });
      } catch (error) {
        results[index] = { status: 400, body: toApiError(error).toBody() };
      }
    });
    const outcomes = await this.gateway.submitMany(caller.tenant_id, envelopes.map((e) => e.envelope));
    outcomes.forEach((settled, i) => {
      const { index } = envelopes[i];
      if (settled.status === 'rejected') {
        const error = toApiError(settled.reason);
        results[index] = { status: error.status, body: error.toBody() };
        return;
      }
      const { events, replayed } = settled.value;
      const rendered = renderPostedEvent(events[0]);
      results[index] = replayed ? { status: 201, body: rendered, replayed: true } : { status: 201, body: rendered };
    });
    return { results };
  }
}
