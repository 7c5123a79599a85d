import { EventStore1700000000000 } from '../../event-store/src/postgres/event-store.migration.js';
import { ProjectionCheckpoints1700000000100 } from '../../projection-runtime/src/checkpoint.migration.js';
import { Tenancy1700000000050 } from '../../tenancy/src/tenancy.migration.js';
import { AccountsReadModel1700000000200 } from '../../../projections/accounts/accounts.migration.js';
import { EntriesReadModel1700000000300 } from '../../../projections/entries/entries.migration.js';
import { TransactionsReadModel1700000000400 } from '../../../projections/transactions/transactions.migration.js';
import { EventFeedReadModel1700000000500 } from '../../../projections/event-feed/event-feed.migration.js';
import { HoldsReadModel1700000000700 } from '../../../projections/holds/holds.migration.js';
import { BalanceHistoryReadModel1700000000800 } from '../../../projections/balance-history/balance-history.migration.js';
import { TrialBalanceReadModel1700000000900 } from '../../../projections/trial-balance/trial-balance.migration.js';
import { ReconciliationReadModel1700000001000 } from '../../../projections/reconciliation/reconciliation.migration.js';
import { Intents1700000001100 } from '../../audit/src/intents.migration.js';
import { AuditLogReadModel1700000000600 } from '../../../projections/audit-log/audit-log.migration.js';
import { AppendEventsJson1700000001400 } from '../../event-store/src/postgres/append-events-json.migration.js';
import { JsonColumns1700000001500 } from '../../projection-runtime/src/json-columns.migration.js';
import { StreamLookup1700000001600 } from '../../event-store/src/postgres/stream-lookup.migration.js';
import { EventFeedHoldIndex1700000001700 } from '../../../projections/event-feed/event-feed-holds.migration.js';
import { PositionsNumeric1700000001300 } from './positions-numeric.migration.js';
import { HotPathIndexes1700000001800 } from './hot-path-indexes.migration.js';
import { EntriesCounters1700000001900 } from '../../../projections/entries/entries-counters.migration.js';
import { EventFeedThin1700000002000 } from '../../../projections/event-feed/event-feed-thin.migration.js';
import { TransactionsThin1700000002100 } from '../../../projections/transactions/transactions-thin.migration.js';
import { AppendReturnsStored1700000002200 } from '../../event-store/src/postgres/append-returns-stored.migration.js';
import { KeyLifecycle1700000002310 } from '../../tenancy/src/key-lifecycle.migration.js';
import { EventsAppendOnly1700000002300 } from '../../event-store/src/postgres/events-append-only.migration.js';
import { WebhookReadModel1700000001200 } from '../../../projections/webhook-deliveries/webhook-deliveries.migration.js';
import { DriftActiveRuns1700000002340 } from '../../reconciliation/src/drift/active-runs.migration.js';
import { StatementLines1700000002350 } from '../../reconciliation/src/statement-lines.migration.js';

/** Every checked-in migration, in the order they apply. Run at start by every process. */
export const ALL_MIGRATIONS = [
  EventStore1700000000000,
  Tenancy1700000000050,
  ProjectionCheckpoints1700000000100,
  AccountsReadModel1700000000200,
  EntriesReadModel1700000000300,
  TransactionsReadModel1700000000400,
  EventFeedReadModel1700000000500,
  AuditLogReadModel1700000000600,
  HoldsReadModel1700000000700,
  BalanceHistoryReadModel1700000000800,
  TrialBalanceReadModel1700000000900,
  ReconciliationReadModel1700000001000,
  Intents1700000001100,
  WebhookReadModel1700000001200,
  PositionsNumeric1700000001300,
  AppendEventsJson1700000001400,
  JsonColumns1700000001500,
  StreamLookup1700000001600,
  EventFeedHoldIndex1700000001700,
  HotPathIndexes1700000001800,
  EntriesCounters1700000001900,
  EventFeedThin1700000002000,
  TransactionsThin1700000002100,
  AppendReturnsStored1700000002200,
  EventsAppendOnly1700000002300,
  KeyLifecycle1700000002310,
  DriftActiveRuns1700000002340,
  StatementLines1700000002350,
];
