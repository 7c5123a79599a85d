import type { components, operations } from './openapi-types.js';
import { HttpClient, RequestOptions } from './http.js';
import { AutoPaginated, Page } from './pagination.js';
import type { Intent, IntentCreate, IntentList, Route, RouteCreate } from './runtime-types.js';

type Schemas = components['schemas'];
export type Account = Schemas['Account'];
export type Entry = Schemas['Entry'];
export type Transaction = Schemas['Transaction'];
export type Hold = Schemas['Hold'];
export type Policy = Schemas['Policy'];
export type LedgerEvent = Schemas['Event'];
export type AuditEntry = Schemas['AuditEntry'];
export type WebhookEndpoint = Schemas['WebhookEndpoint'];
export type WebhookDelivery = Schemas['WebhookDelivery'];
export type ApiKey = Schemas['ApiKey'];

/** Amounts go in as strings of digits, bigint or safe integers; they come back as strings. */
export type Amount = string | bigint | number;
type AmountsIn<T> = T extends string
  ? T
  : T extends (infer U)[]
    ? AmountsIn<U>[]
    : T extends object
      ? { [K in keyof T]: K extends 'amount' | 'max_amount' | 'threshold' ? T[K] | Amount : AmountsIn<T[K]> }
      : T;
/** What every command body may carry: the idempotency key (sent as the Idempotency-Key header) and an intent id. */
interface CommandOptions {
  idempotency_key?: string;
  intent_id?: string;
}
type Body<T> = AmountsIn<T> & CommandOptions;
type Filter = Record<string, string | number | bigint | boolean | undefined>;
/** `limit` is per page; iteration follows the cursors to the end. */
type ListFilter<T extends Filter = Filter> = T & { limit?: number };
/** A list's filters as the OpenAPI document gives them (the cursor is the iterator's business). */
type QueryOf<K extends keyof operations> = Omit<NonNullable<operations[K]['parameters']['query']>, 'cursor'>;

const id = (value: string) => encodeURIComponent(value);
/** `metadata.<key>=<value>` list filters. */
type MetadataFilter = { [key: `metadata.${string}`]: string };

abstract class Resource {
  constructor(protected readonly http: HttpClient) {}

  protected paginate<T>(path: string, filter: Filter = {}, options?: RequestOptions): AutoPaginated<T> {
    return new AutoPaginated<T>((cursor) => this.http.request<Page<T>>('GET', path, undefined, { ...filter, cursor }, options));
  }
}

export class Accounts extends Resource {
  create(body: Body<Schemas['OpenAccountDto']>, options?: RequestOptions) {
    return this.http.request<Account>('POST', '/accounts', body, undefined, options);
  }
  retrieve(accountId: string, options?: RequestOptions) {
    return this.http.request<Account>('GET', `/accounts/${id(accountId)}`, undefined, undefined, options);
  }
  /** `metadata.<key>`: exact matches on top-level metadata keys, ANDed. */
  list(filter: QueryOf<'listAccounts'> & MetadataFilter = {}, options?: RequestOptions) {
    return this.paginate<Account>('/accounts', filter, options);
  }
  entries(accountId: string, filter: QueryOf<'listAccountEntries'> = {}, options?: RequestOptions) {
    return this.paginate<Entry>(`/accounts/${id(accountId)}/entries`, filter, options);
  }
  balances(accountId: string, at: QueryOf<'getAccountBalances'> = {}, options?: RequestOptions) {
    return this.http.request<Schemas['PointInTimeBalances']>('GET', `/accounts/${id(accountId)}/balances`, undefined, at, options);
  }
  freeze(accountId: string, body: CommandOptions = {}, options?: RequestOptions) {
    return this.http.request<Account>('POST', `/accounts/${id(accountId)}/freeze`, body, undefined, options);
  }
  unfreeze(accountId: string, body: CommandOptions = {}, options?: RequestOptions) {
    return this.http.request<Account>('POST', `/accounts/${id(accountId)}/unfreeze`, body, undefined, options);
  }
  close(accountId: string, body: CommandOptions = {}, options?: RequestOptions) {
    return this.http.request<Account>('POST', `/accounts/${id(accountId)}/close`, body, undefined, options);
  }
}

export class Transactions extends Resource {
  create(body: Body<Schemas['PostTransactionDto']>, options?: RequestOptions) {
    return this.http.request<Transaction>('POST', '/transactions', body, undefined, options);
  }
  retrieve(transactionId: string, options?: RequestOptions) {
    return this.http.request<Transaction>('GET', `/transactions/${id(transactionId)}`, undefined, undefined, options);
  }
  /** Newest first; by account, reference, posting time and `metadata.<key>`. */
  list(filter: QueryOf<'listTransactions'> & MetadataFilter = {}, options?: RequestOptions) {
    return this.paginate<Transaction>('/transactions', filter, options);
  }
  /** Decided against current state, nothing appended: the would-be transaction with `dry_run: true`. */
  dryRun(body: Body<Schemas['PostTransactionDto']>, options?: RequestOptions) {
    const { idempotency_key: _, ...rest } = body;
    return this.http.request<Transaction & { dry_run: true }>('POST', '/transactions', rest, { dry_run: true }, options);
  }
  reverse(transactionId: string, body: Body<Schemas['ReverseTransactionDto']> = {}, options?: RequestOptions) {
    return this.http.request<Transaction>('POST', `/transactions/${id(transactionId)}/reverse`, body, undefined, options);
  }
  /** Each item carries its own idempotency_key; the batch request itself is not idempotent. */
  batch(body: { transactions: (Body<Schemas['PostTransactionDto']> & { idempotency_key: string })[] }, options?: RequestOptions) {
    return this.http.request<Schemas['TransactionBatchResults']>('POST', '/transactions/batch', body, undefined, options);
  }
}

export class Holds extends Resource {
  create(body: Body<Schemas['PlaceHoldDto']>, options?: RequestOptions) {
    return this.http.request<Hold>('POST', '/holds', body, undefined, options);
  }
  retrieve(holdId: string, options?: RequestOptions) {
    return this.http.request<Hold>('GET', `/holds/${id(holdId)}`, undefined, undefined, options);
  }
  list(filter: QueryOf<'listHolds'> = {}, options?: RequestOptions) {
    return this.paginate<Hold>('/holds', filter, options);
  }
  capture(holdId: string, body: Body<Schemas['CaptureHoldDto']> = {}, options?: RequestOptions) {
    return this.http.request<Schemas['HoldCapture']>('POST', `/holds/${id(holdId)}/capture`, body, undefined, options);
  }
  release(holdId: string, body: Body<Schemas['ReleaseHoldDto']> = {}, options?: RequestOptions) {
    return this.http.request<Hold>('POST', `/holds/${id(holdId)}/release`, body, undefined, options);
  }
}

/** The runtime's intents (../shared/API.md, Intents and routes). */
export class Intents extends Resource {
  create(body: Body<IntentCreate>, options?: RequestOptions) {
    // The server is idempotent on intent_id as well; retries also reuse one Idempotency-Key.
    return this.http.request<Intent>('POST', '/intents', body, undefined, options);
  }
  retrieve(intentId: string, options?: RequestOptions) {
    return this.http.request<Intent>('GET', `/intents/${id(intentId)}`, undefined, undefined, options);
  }
  list(filter: ListFilter<IntentList> = {}, options?: RequestOptions) {
    return this.paginate<Intent>('/intents', filter, options);
  }
  settle(intentId: string, body: CommandOptions = {}, options?: RequestOptions) {
    return this.http.request<Intent>('POST', `/intents/${id(intentId)}/settle`, body, undefined, options);
  }
  cancel(intentId: string, body: CommandOptions & { reason?: string } = {}, options?: RequestOptions) {
    return this.http.request<Intent>('POST', `/intents/${id(intentId)}/cancel`, body, undefined, options);
  }
}

/** Routes of the runtime. */
export class Routes extends Resource {
  create(body: RouteCreate & CommandOptions, options?: RequestOptions) {
    return this.http.request<Route>('POST', '/routes', body, undefined, options);
  }
  list(filter: ListFilter = {}, options?: RequestOptions) {
    return this.paginate<Route>('/routes', filter, options);
  }
  disable(routeId: string, options?: RequestOptions) {
    return this.http.request<Route>('POST', `/routes/${id(routeId)}/disable`, {}, undefined, options);
  }
  enable(routeId: string, options?: RequestOptions) {
    return this.http.request<Route>('POST', `/routes/${id(routeId)}/enable`, {}, undefined, options);
  }
}

/** Rollups over account paths: `GET /balances?path_prefix=&currency=`. */
export class Balances extends Resource {
  retrieve(query: QueryOf<'getPathBalances'> & { path_prefix: string; currency: string }, options?: RequestOptions) {
    return this.http.request<Schemas['PathRollup']>('GET', '/balances', undefined, query, options);
  }
}

export class Policies extends Resource {
  create(body: Body<Schemas['CreatePolicyDto']>, options?: RequestOptions) {
    return this.http.request<Policy>('POST', '/policies', body, undefined, options);
  }
  retrieve(policyId: string, options?: RequestOptions) {
    return this.http.request<Policy>('GET', `/policies/${id(policyId)}`, undefined, undefined, options);
  }
  list(filter: QueryOf<'listPolicies'> = {}, options?: RequestOptions) {
    return this.paginate<Policy>('/policies', filter, options);
  }
  update(policyId: string, body: Body<Schemas['UpdatePolicyDto']>, options?: RequestOptions) {
    return this.http.request<Policy>('PATCH', `/policies/${id(policyId)}`, body, undefined, options);
  }
  disable(policyId: string, body: CommandOptions = {}, options?: RequestOptions) {
    return this.http.request<Policy>('POST', `/policies/${id(policyId)}/disable`, body, undefined, options);
  }
}

export class Events extends Resource {
  /** The tenant's events in log order from `after` (a position), every page. */
  list(filter: QueryOf<'listEvents'> = {}, options?: RequestOptions) {
    return new AutoPaginated<LedgerEvent>((cursor) =>
      this.http.request<Page<LedgerEvent>>('GET', '/events', undefined, { ...filter, after: cursor ?? filter.after }, options),
    );
  }
}

export class AuditLog extends Resource {
  list(filter: QueryOf<'listAuditLog'> = {}, options?: RequestOptions) {
    return this.paginate<AuditEntry>('/audit-log', filter, options);
  }
}

export class Evidence extends Resource {
  transaction(transactionId: string, options?: RequestOptions) {
    return this.http.request<Schemas['Evidence']>('GET', `/evidence/transactions/${id(transactionId)}`, undefined, undefined, options);
  }
  hold(holdId: string, options?: RequestOptions) {
    return this.http.request<Schemas['HoldEvidence']>('GET', `/evidence/holds/${id(holdId)}`, undefined, undefined, options);
  }
  publicKey(options?: RequestOptions) {
    return this.http.request<Schemas['TenantPublicKey']>('GET', '/tenants/me/public-key', undefined, undefined, options);
  }
  chainHead(options?: RequestOptions) {
    return this.http.request<Schemas['ChainHead']>('GET', '/tenants/me/chain-head', undefined, undefined, options);
  }
}

class ReconciliationRuns extends Resource {
  create(options?: RequestOptions) {
    return this.http.request<Schemas['ReconciliationRun']>('POST', '/reconciliation/runs', undefined, undefined, options);
  }
  retrieve(runId: string, options?: RequestOptions) {
    return this.http.request<Schemas['ReconciliationRun']>('GET', `/reconciliation/runs/${id(runId)}`, undefined, undefined, options);
  }
  list(filter: QueryOf<'listReconciliationRuns'> = {}, options?: RequestOptions) {
    return this.paginate<Schemas['ReconciliationRun']>('/reconciliation/runs', filter, options);
  }
}

class Statements extends Resource {
  create(body: Schemas['ImportStatementDto'] & CommandOptions, options?: RequestOptions) {
    return this.http.request<Schemas['Statement']>('POST', '/reconciliation/statements', body, undefined, options);
  }
  retrieve(statementId: string, filter: NonNullable<operations['getStatement']['parameters']['query']> = {}, options?: RequestOptions) {
    return this.http.request<Schemas['Statement']>('GET', `/reconciliation/statements/${id(statementId)}`, undefined, filter, options);
  }
}

export class Reconciliation extends Resource {
  readonly runs = new ReconciliationRuns(this.http);
  readonly statements = new Statements(this.http);
  trialBalance(options?: RequestOptions) {
    return this.http.request<Schemas['TrialBalance']>('GET', '/reconciliation/trial-balance', undefined, undefined, options);
  }
}

export class WebhookEndpoints extends Resource {
  create(body: Schemas['CreateWebhookEndpointDto'], options?: RequestOptions) {
    return this.http.request<WebhookEndpoint>('POST', '/webhook-endpoints', body, undefined, options);
  }
  retrieve(endpointId: string, options?: RequestOptions) {
    return this.http.request<WebhookEndpoint>('GET', `/webhook-endpoints/${id(endpointId)}`, undefined, undefined, options);
  }
  list(options?: RequestOptions) {
    return this.paginate<WebhookEndpoint>('/webhook-endpoints', {}, options);
  }
  delete(endpointId: string, options?: RequestOptions) {
    return this.http.request<WebhookEndpoint>('DELETE', `/webhook-endpoints/${id(endpointId)}`, undefined, undefined, options);
  }
  disable(endpointId: string, options?: RequestOptions) {
    return this.http.request<WebhookEndpoint>('POST', `/webhook-endpoints/${id(endpointId)}/disable`, {}, undefined, options);
  }
  enable(endpointId: string, options?: RequestOptions) {
    return this.http.request<WebhookEndpoint>('POST', `/webhook-endpoints/${id(endpointId)}/enable`, {}, undefined, options);
  }
  rotateSecret(endpointId: string, options?: RequestOptions) {
    return this.http.request<WebhookEndpoint>('POST', `/webhook-endpoints/${id(endpointId)}/rotate-secret`, {}, undefined, options);
  }
}

export class WebhookDeliveries extends Resource {
  list(filter: QueryOf<'listWebhookDeliveries'> = {}, options?: RequestOptions) {
    return this.paginate<WebhookDelivery>('/webhook-deliveries', filter, options);
  }
  retrieve(deliveryId: string, options?: RequestOptions) {
    return this.http.request<WebhookDelivery>('GET', `/webhook-deliveries/${id(deliveryId)}`, undefined, undefined, options);
  }
  replay(deliveryId: string, options?: RequestOptions) {
    return this.http.request<WebhookDelivery>('POST', `/webhook-deliveries/${id(deliveryId)}/replay`, {}, undefined, options);
  }
  replayFailed(body: Schemas['ReplayDeliveriesDto'], options?: RequestOptions) {
    return this.http.request<Schemas['WebhookReplay']>('POST', '/webhook-deliveries/replay', body, undefined, options);
  }
}

/** The service's health: status and projection lag (no key needed, but the client sends its own). */
export class Health extends Resource {
  retrieve(options?: RequestOptions) {
    return this.http.request<Schemas['Health']>('GET', '/health', undefined, undefined, options);
  }
}

export class ApiKeys extends Resource {
  create(body: Schemas['CreateApiKeyDto'], options?: RequestOptions) {
    return this.http.request<Schemas['CreatedApiKey']>('POST', '/api-keys', body, undefined, options);
  }
  /** The calling key's id, role and tenant (any role may ask). */
  me(options?: RequestOptions) {
    return this.http.request<Schemas['CallerKey']>('GET', '/api-keys/me', undefined, undefined, options);
  }
  list(filter: QueryOf<'listApiKeys'> = {}, options?: RequestOptions) {
    return this.paginate<ApiKey>('/api-keys', filter, options);
  }
  revoke(keyId: string, options?: RequestOptions) {
    return this.http.request<ApiKey>('POST', `/api-keys/${id(keyId)}/revoke`, {}, undefined, options);
  }
}

/** Platform administration: needs the platform admin token as apiKey. */
export class Tenants extends Resource {
  create(body: Schemas['CreateTenantDto'], options?: RequestOptions) {
    return this.http.request<Schemas['CreatedTenant']>('POST', '/tenants', body, undefined, options);
  }
  suspend(tenantId: string, options?: RequestOptions) {
    return this.http.request<Schemas['Tenant']>('POST', `/tenants/${id(tenantId)}/suspend`, {}, undefined, options);
  }
  resume(tenantId: string, options?: RequestOptions) {
    return this.http.request<Schemas['Tenant']>('POST', `/tenants/${id(tenantId)}/resume`, {}, undefined, options);
  }
}
