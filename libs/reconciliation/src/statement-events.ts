/**
 * A bank statement's import, appended to recon-<tenant> by the importer (its content's hash and
 * summary; the lines are rows, statement-lines.ts). The reconciliation read model projects it.
 */
export const STATEMENT_IMPORTED = 'reconciliation.statement.imported';
