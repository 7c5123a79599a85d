import { Projection } from '#projection-runtime/index.js';
import { accountsProjection } from './accounts/accounts.projection.js';
import { auditLogProjection } from './audit-log/audit-log.projection.js';
import { entriesProjection } from './entries/entries.projection.js';
import { balanceHistoryProjection } from './balance-history/balance-history.projection.js';
import { reconciliationProjection } from './reconciliation/reconciliation.projection.js';
import { trialBalanceProjection } from './trial-balance/trial-balance.projection.js';
import { holdsProjection } from './holds/holds.projection.js';
import { policiesProjection } from './policies/policies.projection.js';
import { routesProjection } from './routes/routes.projection.js';
import { intentsProjection } from './intents/intents.projection.js';
import { pathBalancesProjection } from './path-balances/path-balances.projection.js';
import { eventFeedProjection } from './event-feed/event-feed.projection.js';
import { transactionsProjection } from './transactions/transactions.projection.js';
import { webhookOutboxProjection } from './webhook-deliveries/webhook-outbox.projection.js';

export const ALL_PROJECTIONS: readonly Projection[] = [
  accountsProjection,
  entriesProjection,
  transactionsProjection,
  eventFeedProjection,
  auditLogProjection,
  holdsProjection,
  balanceHistoryProjection,
  trialBalanceProjection,
  reconciliationProjection,
  webhookOutboxProjection,
  policiesProjection,
  routesProjection,
  intentsProjection,
  pathBalancesProjection,
];
