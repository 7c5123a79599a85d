import { MigrationInterface, QueryRunner } from 'typeorm';
import { appendEventsArraysWrapperSql, appendEventsJsonSql } from './append-events-json.migration.js';

/**
 * `append_events` also returns each event's `created_at` and its id as stored: with its position
 * and revision, the store then knows every field of the events it appended as a read would give
 * them, and keeps them for the projections of its process (no read of what it just wrote). Same
 * rules otherwise; the array-per-column wrapper keeps its two columns.
 */
export class AppendReturnsStored1700000002200 implements MigrationInterface {
  name = 'AppendReturnsStored1700000002200';

  async up(q: QueryRunner): Promise<void> {
    // A function's result columns cannot be changed in place; the wrapper (SQL text, resolved
    // when called) names the two columns it returns before the JSON form changes.
    await q.query(appendEventsArraysWrapperSql('out_position, out_revision'));
    await q.query(`drop function append_events(text, bigint, jsonb)`);
    await q.query(appendEventsJsonSql(true));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop function append_events(text, bigint, jsonb)`);
    await q.query(appendEventsJsonSql(false));
    await q.query(appendEventsArraysWrapperSql('*'));
  }
}
