import { randomUUID } from 'node:crypto';

/**
 * A v4 UUID as one flat string. crypto.randomUUID builds its result from many small pieces (a
 * rope of ~20 parts); ids the write model keeps (transactions, holds, accounts) would carry that
 * rope for the writer's lifetime: ~350 bytes more per posting than the same id read from the log.
 */
export function flatUuid(): string {
  return Buffer.from(randomUUID(), 'latin1').toString('latin1');
}
