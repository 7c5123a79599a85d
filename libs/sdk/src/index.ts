import { HttpClient, ZentraOptions } from './http.js';
import {
  Accounts, ApiKeys, AuditLog, Balances, Events, Evidence, Health, Holds, Intents, Policies, Reconciliation, Routes, Tenants, Transactions, WebhookDeliveries, WebhookEndpoints,
} from './resources.js';
import { verifyWebhook } from './webhooks.js';

export { ZentraError, RETRIES_MAX_DEFAULT, TIMEOUT_MS_DEFAULT } from './http.js';
export type { ZentraOptions, RequestOptions } from './http.js';
export { AutoPaginated } from './pagination.js';
export { verifyWebhook, WEBHOOK_TOLERANCE_SECONDS_DEFAULT } from './webhooks.js';
export type * from './resources.js';
export type * from './runtime-types.js';
export type { components, operations, paths } from './openapi-types.js';

/**
 * The Zentra Ledger client: `new Zentra({ apiKey, baseUrl })`, then one resource per part of the
 * API (`zentra.accounts.create(...)`, `for await (const e of zentra.accounts.entries(id))`).
 */
export class Zentra {
  readonly accounts: Accounts;
  readonly transactions: Transactions;
  readonly holds: Holds;
  readonly runtime: { intents: Intents };
  readonly routes: Routes;
  /** Rollups over account paths. */
  readonly balances: Balances;
  readonly policies: Policies;
  readonly events: Events;
  readonly auditLog: AuditLog;
  readonly evidence: Evidence;
  readonly reconciliation: Reconciliation;
  readonly webhookEndpoints: WebhookEndpoints;
  readonly webhookDeliveries: WebhookDeliveries;
  readonly apiKeys: ApiKeys;
  readonly tenants: Tenants;
  readonly health: Health;
  /** `zentra.webhooks.verify(rawBody, header, secret, { toleranceSeconds })` answers the event or throws. */
  readonly webhooks = { verify: verifyWebhook };

  constructor(options: ZentraOptions) {
    const http = new HttpClient(options);
    this.accounts = new Accounts(http);
    this.transactions = new Transactions(http);
    this.holds = new Holds(http);
    this.runtime = { intents: new Intents(http) };
    this.routes = new Routes(http);
    this.balances = new Balances(http);
    this.policies = new Policies(http);
    this.events = new Events(http);
    this.auditLog = new AuditLog(http);
    this.evidence = new Evidence(http);
    this.reconciliation = new Reconciliation(http);
    this.webhookEndpoints = new WebhookEndpoints(http);
    this.webhookDeliveries = new WebhookDeliveries(http);
    this.apiKeys = new ApiKeys(http);
    this.tenants = new Tenants(http);
    this.health = new Health(http);
  }
}
