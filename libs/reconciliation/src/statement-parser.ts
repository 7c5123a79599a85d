// Over 300 lines on purpose: CSV and JSON Lines share one line model and one set of field rules, kept together so a reader sees every rule a statement line meets.
// Parses a bank/processor statement (CSV or JSON Lines) into typed lines. Pure: no I/O.
// A row that cannot be read is reported in `invalid` with its line number and the reason;
// the other rows are returned. Only a file that cannot be read at all (unknown format, no or
// bad CSV header, too many lines) throws a StatementFormatError.
import { AMOUNT_MAX, isCurrency, parseAmount } from '#domain/index.js';
import { calendarDay } from './calendar.js';

export type StatementFormat = 'csv' | 'jsonl';
/** `credit` = money into the account, `debit` = money out of it. */
export type StatementDirection = 'credit' | 'debit';

export interface StatementLine {
  /** 1-based line number in the file (CSV: the header is line 1, the first row line 2). */
  line: number;
  external_id: string;
  /** Minor units, 1 to AMOUNT_MAX. */
  amount: bigint;
  currency: string;
  direction: StatementDirection;
  /** YYYY-MM-DD, a real calendar date. */
  date: string;
  /** null when the statement gives none (empty or absent). */
  reference: string | null;
}

export interface InvalidLine {
  line: number;
  /** The row's external_id when it could be read (a well-formed id), else null. */
  external_id: string | null;
  error: string;
}

export interface ParsedStatement {
  lines: StatementLine[];
  invalid: InvalidLine[];
}

/**
 * The most statement lines (CSV data rows / JSONL records, blank lines not counted) one file may
 * hold. Each becomes a row of the import's outcome. Worst case measured on 2 cores (every line
 * ambiguous, each listing MAX_AMBIGUOUS_ENTRY_IDS = 20 entries): 1.4 s and 10 MB of rows at 10,000
 * lines; with 50 ids, 2.3 s / 29 MB at 10,000 and 12.6 s / 177 MB at 50,000. A longer statement
 * is split by period.
 */
export const MAX_STATEMENT_LINES = 10_000;
/** The longest line of the file, in characters; a longer row is invalid (a longer CSV header fails the file). */
export const MAX_STATEMENT_LINE_LENGTH = 4_096;
export const MAX_EXTERNAL_ID_LENGTH = 128;
export const MAX_REFERENCE_LENGTH = 256;

export const STATEMENT_COLUMNS = ['external_id', 'amount', 'currency', 'direction', 'date', 'reference'] as const;
export type StatementColumn = (typeof STATEMENT_COLUMNS)[number];
/** Columns a CSV header must name; `reference` may be left out (every row then has none). */
export const REQUIRED_STATEMENT_COLUMNS: readonly StatementColumn[] = ['external_id', 'amount', 'currency', 'direction', 'date'];

export type StatementFormatErrorCode = 'unsupported_format' | 'missing_header' | 'invalid_header' | 'too_many_lines';

/** The file as a whole cannot be read; no line is returned. */
export class StatementFormatError extends Error {
  override readonly name = 'StatementFormatError';
  constructor(
    readonly code: StatementFormatErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isStatementFormatError(error: unknown): error is StatementFormatError {
  return error instanceof StatementFormatError;
}

// C0, DEL, C1 controls and the Unicode line/paragraph separators.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const LINE_BREAK = /\r?\n/;

/** The raw values of one row, before validation; undefined = the field is absent. */
type RawRecord = Partial<Record<StatementColumn, unknown>>;

export function parseStatement(format: StatementFormat, content: string): ParsedStatement {
  if (format !== 'csv' && format !== 'jsonl') {
    throw new StatementFormatError('unsupported_format', `unsupported statement format ${shown(format)}: expected "csv" or "jsonl"`);
  }
  if (typeof content !== 'string') throw new TypeError('statement content must be a string');
  const physical = (content.startsWith('\uFEFF') ? content.slice(1) : content).split(LINE_BREAK);
  return format === 'csv' ? parseCsv(physical) : parseJsonl(physical);
}

function isBlank(text: string): boolean {
  return text.trim() === '';
}

function assertLineCount(physical: string[], from: number): void {
  let count = 0;
  for (let i = from; i < physical.length; i++) {
    if (!isBlank(physical[i]) && ++count > MAX_STATEMENT_LINES) {
      throw new StatementFormatError('too_many_lines', `a statement may hold at most ${MAX_STATEMENT_LINES} lines`);
    }
  }
}

/** The non-blank lines from `from` on, with their 1-based numbers; an over-long one is refused here. */
function* recordLines(physical: string[], from: number, collector: Collector): Generator<{ text: string; line: number }> {
  for (let i = from; i < physical.length; i++) {
    const text = physical[i];
    if (isBlank(text)) continue;
    if (text.length > MAX_STATEMENT_LINE_LENGTH) {
      collector.reject(i + 1, null, `line is longer than ${MAX_STATEMENT_LINE_LENGTH} characters`);
      continue;
    }
    yield { text, line: i + 1 };
  }
}

class Collector {
  readonly lines: StatementLine[] = [];
  readonly invalid: InvalidLine[] = [];
  /** external_id -> the line it first appeared on (valid or not): the first occurrence wins. */
  private readonly seen = new Map<string, number>();

  reject(line: number, external_id: string | null, error: string): void {
    this.invalid.push({ line, external_id, error });
  }

  accept(line: number, raw: RawRecord): void {
    const errors: string[] = [];
    const externalId = readExternalId(raw.external_id, errors);
    if (externalId !== null) {
      const first = this.seen.get(externalId);
      if (first !== undefined) errors.push(`duplicate external_id (first seen on line ${first})`);
      else this.seen.set(externalId, line);
    }
    const amount = readAmount(raw.amount, errors);
    const currency = readCurrency(raw.currency, errors);
    const direction = readDirection(raw.direction, errors);
    const date = readDate(raw.date, errors);
    const reference = readReference(raw.reference, errors);
    if (errors.length > 0 || externalId === null || amount === null || currency === null || direction === null || date === null) {
      this.reject(line, externalId, errors.join('; '));
      return;
    }
    this.lines.push({ line, external_id: externalId, amount, currency, direction, date, reference });
  }

  result(): ParsedStatement {
    return { lines: this.lines, invalid: this.invalid };
  }
}

// ---------------------------------------------------------------------------------------------
// CSV (RFC 4180 fields on one physical line: a field cannot hold a line break)

function parseCsv(physical: string[]): ParsedStatement {
  const headerIndex = physical.findIndex((text) => !isBlank(text));
  if (headerIndex < 0) throw new StatementFormatError('missing_header', 'a CSV statement must start with a header line naming its columns');
  const columns = readHeader(physical[headerIndex], headerIndex + 1);
  assertLineCount(physical, headerIndex + 1);

  const collector = new Collector();
  const externalIdColumn = columns.indexOf('external_id');
  for (const { text, line } of recordLines(physical, headerIndex + 1, collector)) {
    const split = splitCsvLine(text);
    if ('error' in split) {
      collector.reject(line, null, split.error);
      continue;
    }
    const fields = split.fields;
    if (fields.length !== columns.length) {
      const id = fields.length > externalIdColumn ? wellFormedExternalId(fields[externalIdColumn]) : null;
      collector.reject(line, id, `expected ${columns.length} fields (as in the header), found ${fields.length}`);
      continue;
    }
    const raw: RawRecord = { reference: '' };
    columns.forEach((column, index) => {
      if (column !== null) raw[column] = fields[index];
    });
    collector.accept(line, raw);
  }
  return collector.result();
}

/** The statement column of each header position (null: a column this parser ignores). */
function readHeader(text: string, line: number): (StatementColumn | null)[] {
  if (text.length > MAX_STATEMENT_LINE_LENGTH) {
    throw new StatementFormatError('invalid_header', `the header (line ${line}) is longer than ${MAX_STATEMENT_LINE_LENGTH} characters`);
  }
  const split = splitCsvLine(text);
  if ('error' in split) throw new StatementFormatError('invalid_header', `the header (line ${line}) cannot be read: ${split.error}`);
  const known = new Set<string>(STATEMENT_COLUMNS);
  const columns: (StatementColumn | null)[] = [];
  const present = new Set<StatementColumn>();
  for (const name of split.fields) {
    const normalized = name.trim().toLowerCase();
    if (!known.has(normalized)) {
      columns.push(null); // an extra column (a bank's balance, a memo...) is ignored
      continue;
    }
    const column = normalized as StatementColumn;
    if (present.has(column)) throw new StatementFormatError('invalid_header', `the header (line ${line}) names the column "${column}" twice`);
    present.add(column);
    columns.push(column);
  }
  const missing = REQUIRED_STATEMENT_COLUMNS.filter((column) => !present.has(column));
  if (missing.length > 0) {
    throw new StatementFormatError(
      'invalid_header',
      `the header (line ${line}) must name the columns ${REQUIRED_STATEMENT_COLUMNS.join(', ')} (and optionally reference); missing: ${missing.join(', ')}`,
    );
  }
  return columns;
}

/**
 * Splits one CSV line into fields: comma-separated; a field may be enclosed in double quotes,
 * inside which a comma is data and `""` is one quote. Nothing may follow a closing quote but a
 * comma or the end of the line, and an unquoted field may not contain a quote.
 */
export function splitCsvLine(text: string): { fields: string[] } | { error: string } {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (text[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const quote = text.indexOf('"', i);
        if (quote < 0) return { error: `field ${fields.length + 1}: unterminated quoted field` };
        value += text.slice(i, quote);
        if (text[quote + 1] === '"') {
          value += '"';
          i = quote + 2;
          continue;
        }
        i = quote + 1;
        break;
      }
      fields.push(value);
      if (i === text.length) return { fields };
      if (text[i] !== ',') return { error: `field ${fields.length}: unexpected character after the closing quote` };
      i++;
    } else {
      const comma = text.indexOf(',', i);
      const end = comma < 0 ? text.length : comma;
      const value = text.slice(i, end);
      if (value.includes('"')) return { error: `field ${fields.length + 1}: a quote inside an unquoted field (enclose the field in quotes and double the quote)` };
      fields.push(value);
      if (comma < 0) return { fields };
      i = comma + 1;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// JSON Lines

function parseJsonl(physical: string[]): ParsedStatement {
  assertLineCount(physical, 0);
  const collector = new Collector();
  for (const { text, line } of recordLines(physical, 0, collector)) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      collector.reject(line, null, `not valid JSON: ${(error as Error).message}`);
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      collector.reject(line, null, `each line must be a JSON object, found ${shown(value)}`);
      continue;
    }
    const object = value as Record<string, unknown>;
    const raw: RawRecord = {};
    for (const column of STATEMENT_COLUMNS) {
      if (Object.hasOwn(object, column)) raw[column] = object[column];
    }
    collector.accept(line, raw);
  }
  return collector.result();
}

// ---------------------------------------------------------------------------------------------
// Field validation (the same rules for both formats)

function wellFormedExternalId(value: unknown): string | null {
  return typeof value === 'string' && value !== '' && value.length <= MAX_EXTERNAL_ID_LENGTH && !CONTROL_CHARACTERS.test(value) ? value : null;
}

function readExternalId(value: unknown, errors: string[]): string | null {
  if (value === undefined) errors.push('external_id is required');
  else if (typeof value !== 'string') errors.push(`external_id must be a string, found ${shown(value)}`);
  else if (value === '') errors.push('external_id must not be empty');
  else if (value.length > MAX_EXTERNAL_ID_LENGTH) errors.push(`external_id must be at most ${MAX_EXTERNAL_ID_LENGTH} characters`);
  else if (CONTROL_CHARACTERS.test(value)) errors.push('external_id must not contain control characters');
  else return value;
  return null;
}

function readAmount(value: unknown, errors: string[]): bigint | null {
  if (value === undefined) {
    errors.push('amount is required');
    return null;
  }
  const amount = parseAmount(value);
  if (amount === null) {
    errors.push(`amount must be a positive whole number of minor units (digits, at most ${AMOUNT_MAX}), found ${shown(value)}`);
  }
  return amount;
}

function readCurrency(value: unknown, errors: string[]): string | null {
  if (value === undefined) errors.push('currency is required');
  else if (!isCurrency(value)) errors.push(`currency must be 3 to 12 characters A-Z, 0-9 or _, found ${shown(value)}`);
  else return value;
  return null;
}

function readDirection(value: unknown, errors: string[]): StatementDirection | null {
  if (value === 'credit' || value === 'debit') return value;
  errors.push(value === undefined ? 'direction is required' : `direction must be "credit" or "debit", found ${shown(value)}`);
  return null;
}

function readDate(value: unknown, errors: string[]): string | null {
  if (value === undefined) errors.push('date is required');
  else if (typeof value !== 'string' || calendarDay(value) === null) errors.push(`date must be a calendar date YYYY-MM-DD, found ${shown(value)}`);
  else return value;
  return null;
}

function readReference(value: unknown, errors: string[]): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') errors.push(`reference must be a string, found ${shown(value)}`);
  else if (value.length > MAX_REFERENCE_LENGTH) errors.push(`reference must be at most ${MAX_REFERENCE_LENGTH} characters`);
  else if (CONTROL_CHARACTERS.test(value)) errors.push('reference must not contain control characters');
  else return value;
  return null;
}

/** A short rendering of an offending value for an error message. */
function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}
