import { Pool } from 'pg';

export type IntentStateName = 'accepted' | 'controlled' | 'ledgered' | 'synchronized' | 'evidenced' | 'refused';

export interface IntentState {
  state: IntentStateName;
  at: string;
  [detail: string]: unknown;
}

const SQL = {
  append: `insert into intents (tenant_id, id, states) values ($1, $2, $3::jsonb)
           on conflict (tenant_id, id) do update set states = intents.states || excluded.states, updated_at = now()`,
  get: `select states from intents where tenant_id = $1 and id = $2`,
};

/** Where a request got to: accepted -> controlled -> ledgered -> synchronized -> evidenced, or refused. */
export class IntentTrace {
  constructor(private readonly pool: Pool) {}

  async record(tenantId: string, intentId: string, ...states: IntentState[]): Promise<void> {
    await this.pool.query(SQL.append, [tenantId, intentId, JSON.stringify(states)]);
  }

  async states(tenantId: string, intentId: string): Promise<IntentState[] | null> {
    const { rows } = await this.pool.query(SQL.get, [tenantId, intentId]);
    return rows.length ? rows[0].states : null;
  }
}
