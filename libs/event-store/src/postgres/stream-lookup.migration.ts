import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes that let a tenant's writer find, in its own stream, the events of one idempotency key,
 * transaction or hold (StreamLookup): the write model can then forget records and rebuild any of
 * them exactly from the log, so its memory stays bounded. Partial: only events that carry the key.
 */
export class StreamLookup1700000001600 implements MigrationInterface {
  name = 'StreamLookup1700000001600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`create index events_by_idempotency_key on events (stream_id, (metadata->>'idempotency_key')) where metadata ? 'idempotency_key' and metadata->>'idempotency_key' is not null`);
    await q.query(`create index events_by_transaction_id on events (stream_id, (data->>'transaction_id')) where data ? 'transaction_id'`);
    await q.query(`create index events_by_hold_id on events (stream_id, (data->>'hold_id')) where data ? 'hold_id'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop index events_by_hold_id`);
    await q.query(`drop index events_by_transaction_id`);
    await q.query(`drop index events_by_idempotency_key`);
  }
}
