import { RecordedEvent } from '#event-store/index.js';
import { tenantOf } from './projection.js';

function recorded(stream_id: string, metadata: Record<string, unknown>): RecordedEvent {
  return { id: 'e-1', stream_id, revision: 0n, position: 1n, type: 'account.created', data: {}, metadata, created_at: new Date(0) };
}

describe('tenantOf', () => {
  it("is the stream's tenant for a ledger event that does not name it (the lean metadata, since 2026-12-05)", () => {
    expect(tenantOf(recorded('ledger-2b7e4c1a-9d3f-4e8b-a6c5-1f0e9d8c7b6a', { actor: 'key:k' }))).toBe('2b7e4c1a-9d3f-4e8b-a6c5-1f0e9d8c7b6a');
  });

  it('is what the metadata names when it does (older ledger events, every other stream)', () => {
    expect(tenantOf(recorded('ledger-t-1', { tenant_id: 't-1' }))).toBe('t-1');
    expect(tenantOf(recorded('recon-t-2', { tenant_id: 't-2' }))).toBe('t-2');
  });
});
