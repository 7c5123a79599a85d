import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Log positions outside the log are numeric(39,0): an EventStoreDB position packs its
 * {commit, prepare} pair into one integer below 2^128 (libs/event-store/src/eventstoredb/position.ts),
 * which int8 cannot hold. The PostgreSQL log's own `events.global_position` stays int8 (an
 * identity column); every table that stores a position of whichever log is in use is widened.
 */
export const POSITION_COLUMNS: ReadonlyArray<readonly [table: string, column: string]> = [
  ['projection_checkpoints', 'position'],
  ['projection_checkpoints', 'error_position'],
  ['chain_heads', 'position'],
  ['accounts', 'created_position'],
  ['accounts', 'position'],
  ['entries', 'position'],
  ['transactions', 'position'],
  ['event_feed', 'position'],
  ['audit_log', 'position'],
  ['holds', 'created_position'],
  ['holds', 'position'],
  ['balance_history', 'position'],
  ['trial_balance', 'position'],
  ['reconciliation_runs', 'position'],
  ['reconciliation_statements', 'position'],
  ['webhook_deliveries', 'event_position'],
];

export class PositionsNumeric1700000001300 implements MigrationInterface {
  name = 'PositionsNumeric1700000001300';

  async up(q: QueryRunner): Promise<void> {
    for (const [table, column] of POSITION_COLUMNS) {
      await q.query(`alter table ${table} alter column ${column} type numeric(39,0)`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [table, column] of POSITION_COLUMNS) {
      await q.query(`alter table ${table} alter column ${column} type bigint`);
    }
  }
}
