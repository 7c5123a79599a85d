import { MigrationInterface, QueryRunner } from 'typeorm';

export class AuditLogReadModel1700000000600 implements MigrationInterface {
  name = 'AuditLogReadModel1700000000600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table audit_log (
        position bigint primary key,
        tenant_id uuid not null,
        event_id uuid not null,
        actor text not null,
        role text not null,
        action text not null,
        resource text,
        outcome text not null,
        reason text,
        request_id text,
        timestamp timestamptz not null
      )`);
    await q.query(`create index audit_log_tenant on audit_log (tenant_id, position)`);
    await q.query(`create index audit_log_tenant_outcome on audit_log (tenant_id, outcome, position)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table audit_log`);
  }
}
