const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'ENOENT', // the Unix socket's file is gone: PostgreSQL is stopped, or restarting (it makes the file anew)
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
]);

/** True when PostgreSQL could not be reached or went away: the caller may retry. */
export function isConnectionError(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | undefined;
  if (!e) return false;
  if (e.code && CONNECTION_ERROR_CODES.has(e.code)) return true;
  const message = e.message ?? '';
  return /Connection terminated|connection timeout|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(
    message,
  );
}

/** query_canceled: a statement_timeout (or an operator's cancel) stopped the query; nothing it did is kept. */
export const QUERY_CANCELED = '57014';

export function isQueryCanceled(error: unknown): boolean {
  return (error as { code?: string } | undefined)?.code === QUERY_CANCELED;
}

/** undefined_table: a read model that is not built yet (its projection creates it; versions.ts). */
export const UNDEFINED_TABLE = '42P01';

export function isUndefinedTable(error: unknown): boolean {
  return (error as { code?: string } | undefined)?.code === UNDEFINED_TABLE;
}
