import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Audited } from '../audit/admin-action.interceptor.js';
import { Caller, type LedgerRequest, type TenantPrincipal } from '../http/request-context.js';
import { Allow } from '../http/roles.js';
import { CreateWebhookEndpointDto, ReplayDeliveriesDto } from './webhooks.dto.js';
import { WebhooksService } from './webhooks.service.js';
import { ApiRoute, MIN_POSITION_QUERY, PAGE_QUERY } from '../http/openapi.js';
import { DELIVERY, DELIVERY_EXAMPLE, DELIVERY_PAGE, ENDPOINT, ENDPOINT_EXAMPLE, ENDPOINT_PAGE, REPLAYED } from './webhooks.openapi.js';

/** Admins manage endpoints; admins, operators and auditors read them and the deliveries; admins and operators replay. */
@ApiTags('webhooks')
@ApiBearerAuth()
@Controller()
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @ApiRoute({ operationId: 'createWebhookEndpoint', summary: 'Register a webhook endpoint (answers its secret)', ok: [201, ENDPOINT], example: { ...ENDPOINT_EXAMPLE, secret: 'whsec_4f9a...' }, errors: [409] })
  @Post('webhook-endpoints')
  @HttpCode(201)
  @Allow('create_webhook_endpoint', 'admin')
  @Audited('webhook_endpoint')
  create(@Body() dto: CreateWebhookEndpointDto, @Caller() caller: TenantPrincipal) {
    return this.webhooks.createEndpoint(caller, dto);
  }

  @ApiRoute({ operationId: 'listWebhookEndpoints', summary: 'List webhook endpoints', ok: [200, ENDPOINT_PAGE], example: { data: [], next_cursor: null } })
  @Get('webhook-endpoints')
  @Allow('list_webhook_endpoints', 'admin', 'operator', 'auditor')
  list(@Caller() caller: TenantPrincipal) {
    return this.webhooks.listEndpoints(caller);
  }

  @ApiRoute({ operationId: 'getWebhookEndpoint', summary: 'Get a webhook endpoint', ok: [200, ENDPOINT], example: ENDPOINT_EXAMPLE, errors: [404] })
  @Get('webhook-endpoints/:id')
  @Allow('get_webhook_endpoint', 'admin', 'operator', 'auditor')
  get(@Param('id') id: string, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest) {
    return this.webhooks.getEndpoint(caller, req, id, 'get_webhook_endpoint');
  }

  /** Answers the endpoint with `"status": "deleted"`; its outstanding deliveries end as failed. */
  @ApiRoute({ operationId: 'deleteWebhookEndpoint', summary: 'Delete a webhook endpoint', ok: [200, ENDPOINT], example: { ...ENDPOINT_EXAMPLE, status: 'deleted' }, errors: [404] })
  @Delete('webhook-endpoints/:id')
  @Allow('delete_webhook_endpoint', 'admin')
  @Audited('webhook_endpoint')
  remove(@Param('id') id: string, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest) {
    return this.webhooks.deleteEndpoint(caller, req, id);
  }

  @ApiRoute({ operationId: 'disableWebhookEndpoint', summary: 'Stop deliveries to an endpoint', ok: [200, ENDPOINT], example: { ...ENDPOINT_EXAMPLE, status: 'disabled' }, errors: [404] })
  @Post('webhook-endpoints/:id/disable')
  @HttpCode(200)
  @Allow('disable_webhook_endpoint', 'admin')
  @Audited('webhook_endpoint')
  disable(@Param('id') id: string, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest) {
    return this.webhooks.setStatus(caller, req, id, 'disabled');
  }

  @ApiRoute({ operationId: 'enableWebhookEndpoint', summary: 'Resume deliveries to an endpoint', ok: [200, ENDPOINT], example: ENDPOINT_EXAMPLE, errors: [404] })
  @Post('webhook-endpoints/:id/enable')
  @HttpCode(200)
  @Allow('enable_webhook_endpoint', 'admin')
  @Audited('webhook_endpoint')
  enable(@Param('id') id: string, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest) {
    return this.webhooks.setStatus(caller, req, id, 'enabled');
  }

  /** A new secret (shown once); the old one keeps signing for LEDGER_WEBHOOK_SECRET_GRACE_SECONDS. */
  @ApiRoute({ operationId: 'rotateWebhookSecret', summary: "Rotate an endpoint's signing secret", ok: [200, ENDPOINT], example: { ...ENDPOINT_EXAMPLE, secret: 'whsec_7c1b...', previous_secret_expires_at: '2026-12-06T01:52:11.000Z' }, errors: [404] })
  @Post('webhook-endpoints/:id/rotate-secret')
  @HttpCode(200)
  @Allow('rotate_webhook_secret', 'admin')
  @Audited('webhook_endpoint')
  rotate(@Param('id') id: string, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest) {
    return this.webhooks.rotateSecret(caller, req, id);
  }

  @ApiRoute({ operationId: 'listWebhookDeliveries', summary: 'List webhook deliveries', ok: [200, DELIVERY_PAGE], example: { data: [], next_cursor: null }, query: { ...PAGE_QUERY, endpoint_id: [{ type: 'string', format: 'uuid' }, 'only this endpoint\'s'], status: [{ type: 'string', enum: ['pending', 'retrying', 'delivered', 'failed'] }, 'only this status'], event_id: [{ type: 'string', format: 'uuid' }, 'only this event\'s'], ...MIN_POSITION_QUERY } })
  @Get('webhook-deliveries')
  @Allow('list_webhook_deliveries', 'admin', 'operator', 'auditor')
  deliveries(@Query() query: Record<string, unknown>, @Caller() caller: TenantPrincipal) {
    return this.webhooks.listDeliveries(caller, query);
  }

  /** Bulk replay of failed deliveries of one endpoint created in [from, to). */
  @ApiRoute({ operationId: 'replayFailedWebhookDeliveries', summary: "Queue an endpoint's failed deliveries again", ok: [202, REPLAYED], example: { replayed: 0 }, errors: [404] })
  @Post('webhook-deliveries/replay')
  @HttpCode(202)
  @Allow('replay_webhook_deliveries', 'admin', 'operator')
  @Audited('webhook_delivery')
  replayFailed(@Body() dto: ReplayDeliveriesDto, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest) {
    return this.webhooks.replayFailed(caller, req, dto);
  }

  @ApiRoute({ operationId: 'getWebhookDelivery', summary: 'Get a webhook delivery with its attempts', ok: [200, DELIVERY], example: DELIVERY_EXAMPLE, errors: [404], query: MIN_POSITION_QUERY })
  @Get('webhook-deliveries/:id')
  @Allow('get_webhook_delivery', 'admin', 'operator', 'auditor')
  delivery(@Param('id') id: string, @Query('min_position') minPosition: unknown, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest) {
    return this.webhooks.getDelivery(caller, req, id, minPosition);
  }

  /** Sends the same event (same id and body) again with a fresh signature; the ledger is not touched. */
  @ApiRoute({ operationId: 'replayWebhookDelivery', summary: 'Queue one delivery again', ok: [202, DELIVERY], example: { ...DELIVERY_EXAMPLE, status: 'pending' }, errors: [404] })
  @Post('webhook-deliveries/:id/replay')
  @HttpCode(202)
  @Allow('replay_webhook_delivery', 'admin', 'operator')
  @Audited('webhook_delivery')
  replay(@Param('id') id: string, @Caller() caller: TenantPrincipal, @Req() req: LedgerRequest) {
    return this.webhooks.replay(caller, req, id);
  }
}
