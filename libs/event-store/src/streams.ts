/**
 * The streams of a tenant: its ledger (the consistency boundary), denied accesses (audit), and
 * reconciliation runs and statements. One place names them; readers filter on these prefixes.
 */
export const LEDGER_PREFIX = 'ledger-';
export const AUDIT_PREFIX = 'audit-';
export const RECON_PREFIX = 'recon-';

/** Every stream the service writes, as $all subscription filters see them. */
export const LEDGER_STREAM_PREFIXES: readonly string[] = Object.freeze([LEDGER_PREFIX, AUDIT_PREFIX, RECON_PREFIX]);

export function ledgerStream(tenantId: string): string {
  return `${LEDGER_PREFIX}${tenantId}`;
}

export function auditStream(tenantId: string): string {
  return `${AUDIT_PREFIX}${tenantId}`;
}

export function reconStream(tenantId: string): string {
  return `${RECON_PREFIX}${tenantId}`;
}
