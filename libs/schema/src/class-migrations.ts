import { ClassMigrationsPredecessor } from '#database/migrate.js';

/**
 * Before the numbered SQL migrations, TypeORM migration classes built the schema (released up to
 * 490ff41; their statements, in order, are kept as a test fixture:
 * test/fixtures/class-migrations.sql). A database on which all of them ran holds what 0001-0006
 * create, plus read models, which have no version recorded and are therefore rebuilt from the
 * log by their projections on the first start. 0007 (projection versions) is new and runs.
 */
export const CLASS_MIGRATIONS: ClassMigrationsPredecessor = {
  classMigrations: [
    'EventStore1700000000000',
    'Tenancy1700000000050',
    'ProjectionCheckpoints1700000000100',
    'AccountsReadModel1700000000200',
    'EntriesReadModel1700000000300',
    'TransactionsReadModel1700000000400',
    'EventFeedReadModel1700000000500',
    'AuditLogReadModel1700000000600',
    'HoldsReadModel1700000000700',
    'BalanceHistoryReadModel1700000000800',
    'TrialBalanceReadModel1700000000900',
    'ReconciliationReadModel1700000001000',
    'Intents1700000001100',
    'WebhookReadModel1700000001200',
    'PositionsNumeric1700000001300',
    'AppendEventsJson1700000001400',
    'JsonColumns1700000001500',
    'StreamLookup1700000001600',
    'EventFeedHoldIndex1700000001700',
    'HotPathIndexes1700000001800',
    'EntriesCounters1700000001900',
    'EventFeedThin1700000002000',
    'TransactionsThin1700000002100',
    'AppendReturnsStored1700000002200',
    'EventsAppendOnly1700000002300',
    'KeyLifecycle1700000002310',
    'DriftActiveRuns1700000002340',
    'StatementLines1700000002350',
  ],
  equivalent: ['0001-event-log', '0002-tenancy', '0003-projection-checkpoints', '0004-intents', '0005-webhook-endpoints', '0006-reconciliation-coordination'],
};
