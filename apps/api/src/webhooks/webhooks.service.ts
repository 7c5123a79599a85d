import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { MasterKey } from '#audit/index.js';
import type { LedgerConfig } from '#database/index.js';
import { ALL_EVENTS, checkUrl } from '#webhooks/index.js';
import {
  deleteEndpoint,
  EndpointView,
  findEndpoint,
  insertEndpoint,
  listEndpoints,
  rotateEndpointSecret,
  setEndpointStatus,
} from '#webhooks/index.js';
import {
  DeliveryCursor,
  DeliveryView,
  findDelivery,
  listDeliveries,
  replayDelivery,
  replayFailedDeliveries,
} from '#projections/webhook-deliveries/webhook-deliveries.queries.js';
import { parseRfc3339 } from '#domain/index.js';
import { ApiError } from '../http/api-error.js';
import { isUuid, pageOf, parseLimit, parseOneOf, parseUuid } from '../http/pagination.js';
import { LedgerRequest, TenantPrincipal } from '../http/request-context.js';
import { LEDGER_CONFIG } from '../runtime/injection-tokens.js';
import { Reads } from '../runtime/reads.js';
import { CreateWebhookEndpointDto, ReplayDeliveriesDto } from './webhooks.dto.js';

/** Endpoints per tenant (deleted ones do not count). */
export const WEBHOOK_ENDPOINTS_PER_TENANT_MAX = 50;
/** Failed deliveries one bulk replay resets; call again for the rest. */
export const REPLAY_BULK_MAX = 10_000;
const SECRET_PREFIX = 'whsec_';
const SECRET_BYTES = 32;
const DELIVERY_STATUSES = ['pending', 'retrying', 'delivered', 'failed'];
const OUTBOX = ['webhook_outbox'];

function newSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString('base64url')}`;
}

/** Opaque to clients: base64url of "<event position>.<endpoint id>" (encodeCursor of the two). */
function decodeDeliveryCursor(raw: unknown): DeliveryCursor | null {
  if (raw === undefined || raw === '') return null;
  const match = typeof raw === 'string' ? /^([0-9]{1,39})\.([0-9a-f-]{36})$/.exec(Buffer.from(raw, 'base64url').toString('utf8')) : null;
  if (!match || !isUuid(match[2])) throw ApiError.validation('cursor is not valid', { cursor: ['not a cursor this API returned'] });
  return { event_position: BigInt(match[1]), endpoint_id: match[2] };
}

/** ['*'] alone, or distinct public types (the DTO checked each value). */
function subscription(events: string[]): string[] {
  const distinct = [...new Set(events)];
  if (distinct.includes(ALL_EVENTS) && distinct.length > 1) {
    throw ApiError.validation('events must be ["*"] alone or a list of event types', { events: ['"*" cannot be combined with other types'] });
  }
  return distinct;
}

/**
 * Webhook endpoints are tenant configuration (plain rows, not the event log); secrets are
 * sealed with the master key and shown once, at creation and rotation. Deliveries are read from
 * the webhook_outbox projection; a replay only re-queues a delivery, it never touches the log.
 */
@Injectable()
export class WebhooksService {
  constructor(
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    private readonly pool: Pool,
    private readonly masterKey: MasterKey,
    private readonly reads: Reads,
  ) {}

  async createEndpoint(caller: TenantPrincipal, dto: CreateWebhookEndpointDto): Promise<EndpointView & { secret: string }> {
    const events = subscription(dto.events);
    const checked = await checkUrl(dto.url, this.config.webhooks.allowPrivate);
    if (!checked.ok) throw ApiError.validation(checked.message, { url: [checked.message] });
    const secret = newSecret();
    const endpoint = await insertEndpoint(
      this.pool,
      { id: randomUUID(), tenant_id: caller.tenant_id, url: dto.url, events, description: dto.description ?? null, secret_sealed: this.masterKey.encrypt(secret) },
      WEBHOOK_ENDPOINTS_PER_TENANT_MAX,
    );
    if (!endpoint) {
      throw ApiError.validation(`a tenant has at most ${WEBHOOK_ENDPOINTS_PER_TENANT_MAX} webhook endpoints; delete one first`, { url: ['too many endpoints'] });
    }
    return { ...endpoint, secret };
  }

  async listEndpoints(caller: TenantPrincipal) {
    return { data: await listEndpoints(this.pool, caller.tenant_id, WEBHOOK_ENDPOINTS_PER_TENANT_MAX), next_cursor: null };
  }

  async getEndpoint(caller: TenantPrincipal, request: LedgerRequest, id: string, action: string): Promise<EndpointView> {
    const found = isUuid(id) ? await findEndpoint(this.pool, id.toLowerCase()) : null;
    return this.reads.ownedOrNotFound(caller, request, found, 'webhook_endpoint', id, action);
  }

  async setStatus(caller: TenantPrincipal, request: LedgerRequest, id: string, status: 'enabled' | 'disabled'): Promise<EndpointView> {
    const endpoint = await this.getEndpoint(caller, request, id, `${status === 'enabled' ? 'enable' : 'disable'}_webhook_endpoint`);
    return this.found(await setEndpointStatus(this.pool, endpoint.id, status), id);
  }

  async rotateSecret(caller: TenantPrincipal, request: LedgerRequest, id: string): Promise<EndpointView & { secret: string }> {
    const endpoint = await this.getEndpoint(caller, request, id, 'rotate_webhook_secret');
    const secret = newSecret();
    const graceSeconds = this.config.webhooks.secretGraceSeconds;
    const rotated = await rotateEndpointSecret(this.pool, endpoint.id, this.masterKey.encrypt(secret), graceSeconds);
    return { ...this.found(rotated, id), secret };
  }

  async deleteEndpoint(caller: TenantPrincipal, request: LedgerRequest, id: string): Promise<EndpointView> {
    const endpoint = await this.getEndpoint(caller, request, id, 'delete_webhook_endpoint');
    return this.found(await deleteEndpoint(this.pool, endpoint.id), id);
  }

  async listDeliveries(caller: TenantPrincipal, query: Record<string, unknown>) {
    const limit = parseLimit(query.limit);
    const cursor = decodeDeliveryCursor(query.cursor);
    const filter = { endpoint_id: parseUuid(query.endpoint_id, 'endpoint_id'), status: parseOneOf(query.status, 'status', DELIVERY_STATUSES), event_id: parseUuid(query.event_id, 'event_id') };
    await this.reads.settle(caller, OUTBOX, query.min_position);
    const rows = await listDeliveries(this.pool, caller.tenant_id, filter, cursor, limit + 1);
    return pageOf(rows, limit, (r) => [r.cursor.event_position, r.cursor.endpoint_id], (r) => r.view);
  }

  async getDelivery(caller: TenantPrincipal, request: LedgerRequest, id: string, minPosition: unknown, action = 'get_webhook_delivery'): Promise<DeliveryView> {
    await this.reads.settle(caller, OUTBOX, minPosition);
    const found = isUuid(id) ? await findDelivery(this.pool, id.toLowerCase()) : null;
    return this.reads.ownedOrNotFound(caller, request, found, 'webhook_delivery', id, action);
  }

  async replay(caller: TenantPrincipal, request: LedgerRequest, id: string): Promise<DeliveryView> {
    const delivery = await this.getDelivery(caller, request, id, undefined, 'replay_webhook_delivery');
    if (!(await findEndpoint(this.pool, delivery.endpoint_id))) {
      throw new ApiError(404, 'not_found', `webhook endpoint ${delivery.endpoint_id} of this delivery was deleted`, { webhook_endpoint_id: delivery.endpoint_id });
    }
    return this.found(await replayDelivery(this.pool, delivery.id), id, 'webhook_delivery');
  }

  async replayFailed(caller: TenantPrincipal, request: LedgerRequest, dto: ReplayDeliveriesDto): Promise<{ replayed: number }> {
    // Validated by IsRfc3339: within years 0001-9999, so PostgreSQL can compare them.
    const from = new Date(parseRfc3339(dto.from)!);
    const to = new Date(parseRfc3339(dto.to)!);
    if (!(from < to)) throw ApiError.validation('from must be before to', { to: ['must be after from'] });
    const endpoint = await this.getEndpoint(caller, request, dto.endpoint_id, 'replay_webhook_deliveries');
    await this.reads.settle(caller, OUTBOX);
    return { replayed: await replayFailedDeliveries(this.pool, caller.tenant_id, endpoint.id, from, to, REPLAY_BULK_MAX) };
  }

  /** A row that vanished between the ownership check and the update (deleted meanwhile). */
  private found<T>(value: T | null, id: string, resource = 'webhook_endpoint'): T {
    if (value === null) throw ApiError.notFound(resource, id);
    return value;
  }
}
