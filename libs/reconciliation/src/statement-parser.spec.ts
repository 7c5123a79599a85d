// Over 300 lines on purpose: one given/when/then case per rule and per edge of it, in the order the rules are read.
// Specs for parseStatement: CSV and JSON Lines statements, one typed line per valid row, every
// other row reported with its line number and why.
import {
  MAX_EXTERNAL_ID_LENGTH,
  MAX_REFERENCE_LENGTH,
  MAX_STATEMENT_LINE_LENGTH,
  MAX_STATEMENT_LINES,
  ParsedStatement,
  StatementFormatError,
  isStatementFormatError,
  parseStatement,
  splitCsvLine,
} from './statement-parser.js';

const HEADER = 'external_id,amount,currency,direction,date,reference';

function csv(...rows: string[]): string {
  return [HEADER, ...rows].join('\n');
}

function jsonl(...records: unknown[]): string {
  return records.map((record) => (typeof record === 'string' ? record : JSON.stringify(record))).join('\n');
}

const good = { external_id: 'bank-1', amount: '12500', currency: 'USD', direction: 'credit', date: '2026-03-02', reference: 'inv-7' };

/** The single parse error of a one-row statement. */
function errorOf(parsed: ParsedStatement): string {
  expect(parsed.lines).toEqual([]);
  expect(parsed.invalid).toHaveLength(1);
  return parsed.invalid[0].error;
}

function formatErrorOf(run: () => unknown): StatementFormatError {
  try {
    run();
  } catch (error) {
    expect(isStatementFormatError(error)).toBe(true);
    return error as StatementFormatError;
  }
  throw new Error('expected a StatementFormatError');
}

describe('parseStatement (CSV)', () => {
  describe('a well-formed statement', () => {
    it('returns one typed line per row, numbered from 2 (the header is line 1)', () => {
      // given
      const content = csv('bank-1,12500,USD,credit,2026-03-02,inv-7', 'bank-2,300,USD,debit,2026-03-03,');
      // when
      const parsed = parseStatement('csv', content);
      // then
      expect(parsed.invalid).toEqual([]);
      expect(parsed.lines).toEqual([
        { line: 2, external_id: 'bank-1', amount: 12500n, currency: 'USD', direction: 'credit', date: '2026-03-02', reference: 'inv-7' },
        { line: 3, external_id: 'bank-2', amount: 300n, currency: 'USD', direction: 'debit', date: '2026-03-03', reference: null },
      ]);
    });

    it('reads the columns in whatever order the header names them', () => {
      // given
      const content = ['date,reference,direction,currency,amount,external_id', '2026-03-02,inv-7,credit,EUR,99,bank-9'].join('\n');
      // when
      const parsed = parseStatement('csv', content);
      // then
      expect(parsed.lines).toEqual([{ line: 2, external_id: 'bank-9', amount: 99n, currency: 'EUR', direction: 'credit', date: '2026-03-02', reference: 'inv-7' }]);
    });

    it('matches header names ignoring case and surrounding spaces, quoted or not', () => {
      const content = [' External_ID , AMOUNT,"Currency",direction,Date,reference', 'bank-1,1,USD,debit,2026-01-01,'].join('\n');
      expect(parseStatement('csv', content).lines).toHaveLength(1);
    });

    it('accepts a header without the reference column (every line then has no reference)', () => {
      const parsed = parseStatement('csv', ['external_id,amount,currency,direction,date', 'bank-1,5,USD,credit,2026-01-01'].join('\n'));
      expect(parsed.lines).toEqual([{ line: 2, external_id: 'bank-1', amount: 5n, currency: 'USD', direction: 'credit', date: '2026-01-01', reference: null }]);
    });

    it('ignores columns it does not know (a bank balance, a memo)', () => {
      const content = ['balance,external_id,amount,currency,direction,date,reference,memo', '900,bank-1,5,USD,credit,2026-01-01,r-1,"lunch, with tax"'].join('\n');
      const parsed = parseStatement('csv', content);
      expect(parsed.invalid).toEqual([]);
      expect(parsed.lines[0]).toMatchObject({ external_id: 'bank-1', amount: 5n, reference: 'r-1' });
    });

    it('reads quoted fields: commas inside, doubled quotes, empty quoted fields', () => {
      // given
      const content = csv('"bank,1","12500","USD","credit","2026-03-02","Invoice ""A-7"", March"', '"bank-2",1,USD,debit,2026-03-02,""');
      // when
      const parsed = parseStatement('csv', content);
      // then
      expect(parsed.invalid).toEqual([]);
      expect(parsed.lines.map((l) => [l.external_id, l.reference])).toEqual([
        ['bank,1', 'Invoice "A-7", March'],
        ['bank-2', null],
      ]);
    });

    it('keeps spaces inside a field as data (a reference may hold them)', () => {
      const parsed = parseStatement('csv', csv('bank-1,1,USD,credit,2026-01-01,  two  spaces '));
      expect(parsed.lines[0].reference).toBe('  two  spaces ');
    });

    it('skips blank lines but keeps numbering physical lines, CRLF or LF', () => {
      // given: a blank line after the header, one between rows, trailing line breaks
      const content = `${HEADER}\r\n\r\nbank-1,1,USD,credit,2026-01-01,\r\n   \r\nbank-2,2,USD,credit,2026-01-01,\r\n\r\n`;
      // when
      const parsed = parseStatement('csv', content);
      // then
      expect(parsed.invalid).toEqual([]);
      expect(parsed.lines.map((l) => [l.line, l.external_id])).toEqual([
        [3, 'bank-1'],
        [5, 'bank-2'],
      ]);
    });

    it('ignores a UTF-8 byte order mark before the header', () => {
      const parsed = parseStatement('csv', `\uFEFF${csv('bank-1,1,USD,credit,2026-01-01,')}`);
      expect(parsed.lines).toHaveLength(1);
    });

    it('accepts a header with no rows: an empty statement', () => {
      expect(parseStatement('csv', `${HEADER}\n`)).toEqual({ lines: [], invalid: [] });
    });

    it('reads an amount with leading zeros as decimal and amounts up to 2^63 - 1 exactly', () => {
      const parsed = parseStatement('csv', csv('a,010,USD,credit,2026-01-01,', 'b,9007199254740993,USD,credit,2026-01-01,', 'c,9223372036854775807,USD,credit,2026-01-01,'));
      expect(parsed.lines.map((l) => l.amount)).toEqual([10n, 9007199254740993n, 9223372036854775807n]);
    });

    it('accepts 29 February in a leap year', () => {
      expect(parseStatement('csv', csv('a,1,USD,credit,2024-02-29,')).lines).toHaveLength(1);
    });
  });

  describe('a malformed file: bad rows are reported with their line numbers, good rows still parse', () => {
    it('separates the good rows from the bad ones', () => {
      // given
      const content = csv(
        'ok-1,100,USD,credit,2026-03-01,r-1', // line 2
        'bad-amount,1.5,USD,credit,2026-03-01,', // line 3
        'too,few,fields', // line 4
        'bad-quote,1,USD,credit,2026-03-01,"unterminated', // line 5
        'ok-2,200,USD,debit,2026-03-02,', // line 6
        'bad-date,1,USD,credit,2026-02-30,', // line 7
        'bad-direction,1,USD,in,2026-03-01,', // line 8
        'bad-currency,1,usd,credit,2026-03-01,', // line 9
        ',1,USD,credit,2026-03-01,', // line 10
        'ok-3,300,USD,credit,2026-03-03,', // line 11
      );
      // when
      const parsed = parseStatement('csv', content);
      // then
      expect(parsed.lines.map((l) => [l.line, l.external_id])).toEqual([
        [2, 'ok-1'],
        [6, 'ok-2'],
        [11, 'ok-3'],
      ]);
      expect(parsed.invalid.map((i) => [i.line, i.external_id])).toEqual([
        [3, 'bad-amount'],
        [4, 'too'],
        [5, null],
        [7, 'bad-date'],
        [8, 'bad-direction'],
        [9, 'bad-currency'],
        [10, null],
      ]);
      const errors = Object.fromEntries(parsed.invalid.map((i) => [i.line, i.error]));
      expect(errors[3]).toMatch(/^amount must be a positive whole number of minor units .*found "1\.5"$/);
      expect(errors[4]).toBe('expected 6 fields (as in the header), found 3');
      expect(errors[5]).toBe('field 6: unterminated quoted field');
      expect(errors[7]).toBe('date must be a calendar date YYYY-MM-DD, found "2026-02-30"');
      expect(errors[8]).toBe('direction must be "credit" or "debit", found "in"');
      expect(errors[9]).toBe('currency must be 3 to 12 characters A-Z, 0-9 or _, found "usd"');
      expect(errors[10]).toBe('external_id must not be empty');
    });

    it('reports every problem of a row in one error, field by field', () => {
      const error = errorOf(parseStatement('csv', csv('bank-1,-3,US,up,2026-13-01,')));
      expect(error.split('; ')).toEqual([
        expect.stringMatching(/^amount must be .*found "-3"$/),
        'currency must be 3 to 12 characters A-Z, 0-9 or _, found "US"',
        'direction must be "credit" or "debit", found "up"',
        'date must be a calendar date YYYY-MM-DD, found "2026-13-01"',
      ]);
    });

    it('rejects a row with more fields than the header (an unquoted comma)', () => {
      const parsed = parseStatement('csv', csv('bank-1,1,USD,credit,2026-01-01,Invoice 7, March'));
      expect(parsed.invalid).toEqual([{ line: 2, external_id: 'bank-1', error: 'expected 6 fields (as in the header), found 7' }]);
    });

    it('rejects a quote inside an unquoted field and text after a closing quote', () => {
      const parsed = parseStatement('csv', csv('bank-1,1,USD,credit,2026-01-01,say "hi"', '"bank-2"x,1,USD,credit,2026-01-01,'));
      expect(parsed.invalid.map((i) => [i.line, i.error])).toEqual([
        [2, 'field 6: a quote inside an unquoted field (enclose the field in quotes and double the quote)'],
        [3, 'field 1: unexpected character after the closing quote'],
      ]);
    });

    it('does not let an unterminated quote swallow the rows after it', () => {
      const parsed = parseStatement('csv', csv('"bank-1,1,USD,credit,2026-01-01,', 'bank-2,1,USD,credit,2026-01-01,'));
      expect(parsed.invalid.map((i) => i.line)).toEqual([2]);
      expect(parsed.lines.map((l) => l.line)).toEqual([3]);
    });
  });

  describe('amounts', () => {
    it.each([
      ['a decimal', '1.5'],
      ['a negative', '-3'],
      ['zero', '0'],
      ['empty', ''],
      ['an exponent', '1e3'],
      ['a plus sign', '+1'],
      ['a leading space', ' 1'],
      ['a thousands separator', '"1,000"'],
      ['2^63', '9223372036854775808'],
      ['2^64', '18446744073709551616'],
      ['far beyond 2^63', '123456789012345678901234567890'],
    ])('rejects %s (%s), like the rest of the ledger (at most AMOUNT_MAX)', (_name, amount) => {
      const error = errorOf(parseStatement('csv', csv(`bank-1,${amount},USD,credit,2026-01-01,`)));
      expect(error).toMatch(/^amount must be a positive whole number of minor units \(digits, at most 9223372036854775807\), found /);
    });
  });

  describe('dates', () => {
    it.each([
      ['30 February', '2026-02-30'],
      ['29 February in a common year', '2025-02-29'],
      ['29 February 1900 (not a leap year)', '1900-02-29'],
      ['31 April', '2026-04-31'],
      ['month 13', '2026-13-01'],
      ['month 0', '2026-00-10'],
      ['day 0', '2026-01-00'],
      ['year 0', '0000-01-01'],
      ['one-digit month', '2026-1-05'],
      ['a timestamp', '2026-01-05T00:00:00Z'],
      ['day first', '05/01/2026'],
      ['empty', ''],
    ])('rejects %s (%j)', (_name, date) => {
      expect(errorOf(parseStatement('csv', csv(`bank-1,1,USD,credit,${date},`)))).toBe(`date must be a calendar date YYYY-MM-DD, found ${JSON.stringify(date)}`);
    });

    it.each(['2000-02-29', '2026-12-31', '0001-01-01', '9999-12-31'])('accepts %s', (date) => {
      expect(parseStatement('csv', csv(`bank-1,1,USD,credit,${date},`)).lines[0].date).toBe(date);
    });
  });

  describe('duplicate external ids', () => {
    it('keeps the first line and reports each later one as invalid, naming the first line', () => {
      // given
      const content = csv('bank-1,1,USD,credit,2026-01-01,', 'bank-2,2,USD,credit,2026-01-01,', 'bank-1,3,USD,credit,2026-01-02,', 'bank-1,4,USD,credit,2026-01-03,');
      // when
      const parsed = parseStatement('csv', content);
      // then
      expect(parsed.lines.map((l) => [l.line, l.external_id, l.amount])).toEqual([
        [2, 'bank-1', 1n],
        [3, 'bank-2', 2n],
      ]);
      expect(parsed.invalid).toEqual([
        { line: 4, external_id: 'bank-1', error: 'duplicate external_id (first seen on line 2)' },
        { line: 5, external_id: 'bank-1', error: 'duplicate external_id (first seen on line 2)' },
      ]);
    });

    it('counts the first occurrence even when that row is invalid for another reason', () => {
      const parsed = parseStatement('csv', csv('bank-1,0,USD,credit,2026-01-01,', 'bank-1,5,USD,credit,2026-01-01,'));
      expect(parsed.lines).toEqual([]);
      expect(parsed.invalid.map((i) => i.error)).toEqual([expect.stringMatching(/^amount must be/), 'duplicate external_id (first seen on line 2)']);
    });

    it('compares ids exactly (case matters)', () => {
      expect(parseStatement('csv', csv('Bank-1,1,USD,credit,2026-01-01,', 'bank-1,1,USD,credit,2026-01-01,')).lines).toHaveLength(2);
    });
  });

  describe('field limits', () => {
    it('accepts an external_id and a reference at their maximum length, and rejects one character more', () => {
      const id = 'i'.repeat(MAX_EXTERNAL_ID_LENGTH);
      const reference = 'r'.repeat(MAX_REFERENCE_LENGTH);
      const parsed = parseStatement('csv', csv(`${id},1,USD,credit,2026-01-01,${reference}`, `${id}x,1,USD,credit,2026-01-01,`, `ok,1,USD,credit,2026-01-01,${reference}r`));
      expect(parsed.lines).toEqual([expect.objectContaining({ line: 2, external_id: id, reference })]);
      expect(parsed.invalid).toEqual([
        { line: 3, external_id: null, error: `external_id must be at most ${MAX_EXTERNAL_ID_LENGTH} characters` },
        { line: 4, external_id: 'ok', error: `reference must be at most ${MAX_REFERENCE_LENGTH} characters` },
      ]);
    });

    it('rejects a line longer than MAX_STATEMENT_LINE_LENGTH without reading it', () => {
      const long = `bank-1,1,USD,credit,2026-01-01,"${'x'.repeat(MAX_STATEMENT_LINE_LENGTH)}"`;
      const parsed = parseStatement('csv', csv(long, 'bank-2,1,USD,credit,2026-01-01,'));
      expect(parsed.invalid).toEqual([{ line: 2, external_id: null, error: `line is longer than ${MAX_STATEMENT_LINE_LENGTH} characters` }]);
      expect(parsed.lines.map((l) => l.external_id)).toEqual(['bank-2']);
    });

    it('rejects control characters in an external_id or a reference', () => {
      const parsed = parseStatement('csv', csv('"bank\t1",1,USD,credit,2026-01-01,', 'bank-2,1,USD,credit,2026-01-01,"a\u0007b"'));
      expect(parsed.invalid.map((i) => i.error)).toEqual(['external_id must not contain control characters', 'reference must not contain control characters']);
    });
  });

  describe('statement size', () => {
    it(`accepts MAX_STATEMENT_LINES (${MAX_STATEMENT_LINES}) rows and refuses one more`, () => {
      // given
      const rows = Array.from({ length: MAX_STATEMENT_LINES }, (_, i) => `b-${i},${i + 1},USD,credit,2026-01-01,`);
      // when / then
      const parsed = parseStatement('csv', [HEADER, ...rows, '', ''].join('\n'));
      expect(parsed.lines).toHaveLength(MAX_STATEMENT_LINES);
      expect(parsed.lines[MAX_STATEMENT_LINES - 1]).toMatchObject({ line: MAX_STATEMENT_LINES + 1, amount: BigInt(MAX_STATEMENT_LINES) });
      const error = formatErrorOf(() => parseStatement('csv', [HEADER, ...rows, 'one-more,1,USD,credit,2026-01-01,'].join('\n')));
      expect(error.code).toBe('too_many_lines');
    });
  });

  describe('a file that cannot be read at all', () => {
    it.each([
      ['empty content', ''],
      ['only blank lines', '\n  \r\n'],
    ])('refuses %s: no header', (_name, content) => {
      expect(formatErrorOf(() => parseStatement('csv', content)).code).toBe('missing_header');
    });

    it('refuses a header missing a required column, naming it', () => {
      const error = formatErrorOf(() => parseStatement('csv', 'external_id,amount,currency,date,reference\nb,1,USD,2026-01-01,'));
      expect(error.code).toBe('invalid_header');
      expect(error.message).toContain('missing: direction');
    });

    it('refuses a header that names a column twice', () => {
      const error = formatErrorOf(() => parseStatement('csv', `${HEADER},Amount\n`));
      expect(error).toMatchObject({ code: 'invalid_header', message: 'the header (line 1) names the column "amount" twice' });
    });

    it('refuses a data row in place of the header', () => {
      expect(formatErrorOf(() => parseStatement('csv', 'bank-1,1,USD,credit,2026-01-01,\n')).code).toBe('invalid_header');
    });

    it('refuses an unknown format', () => {
      expect(formatErrorOf(() => parseStatement('xml' as 'csv', '<x/>')).code).toBe('unsupported_format');
    });
  });
});

describe('parseStatement (JSON Lines)', () => {
  it('returns one typed line per object, numbered by physical line', () => {
    // given
    const content = jsonl(good, '', { ...good, external_id: 'bank-2', amount: 300, direction: 'debit', reference: null });
    // when
    const parsed = parseStatement('jsonl', content);
    // then
    expect(parsed.invalid).toEqual([]);
    expect(parsed.lines).toEqual([
      { line: 1, external_id: 'bank-1', amount: 12500n, currency: 'USD', direction: 'credit', date: '2026-03-02', reference: 'inv-7' },
      { line: 3, external_id: 'bank-2', amount: 300n, currency: 'USD', direction: 'debit', date: '2026-03-02', reference: null },
    ]);
  });

  it('treats an absent or empty reference as none and ignores unknown fields', () => {
    const { reference: _dropped, ...withoutReference } = good;
    const parsed = parseStatement('jsonl', jsonl({ ...withoutReference, memo: 'x' }, { ...good, external_id: 'b2', reference: '' }));
    expect(parsed.lines.map((l) => l.reference)).toEqual([null, null]);
  });

  it('reads a digit string beyond 2^53 exactly', () => {
    expect(parseStatement('jsonl', jsonl({ ...good, amount: '9223372036854775807' })).lines[0].amount).toBe(9223372036854775807n);
  });

  it.each([
    ['a fraction', '1.5'],
    ['a negative', '-3'],
    ['zero', '0'],
    ['2^53 (not a safe integer)', '9007199254740992'],
    ['2^63', '9223372036854775808'],
    ['a string with a decimal point', '"1.5"'],
    ['a boolean', 'true'],
    ['null', 'null'],
  ])('rejects an amount that is %s', (_name, amount) => {
    const line = JSON.stringify(good).replace('"12500"', amount);
    expect(errorOf(parseStatement('jsonl', line))).toMatch(/^amount must be a positive whole number of minor units/);
  });

  it('accepts an amount given as a safe JSON integer', () => {
    expect(parseStatement('jsonl', jsonl({ ...good, amount: 9007199254740991 })).lines[0].amount).toBe(9007199254740991n);
  });

  it('reports lines that are not JSON objects, and keeps going', () => {
    // given
    const content = jsonl('{"external_id": "broken"', '[1,2]', 'null', '"text"', good);
    // when
    const parsed = parseStatement('jsonl', content);
    // then
    expect(parsed.lines.map((l) => l.line)).toEqual([5]);
    expect(parsed.invalid.map((i) => [i.line, i.external_id])).toEqual([
      [1, null],
      [2, null],
      [3, null],
      [4, null],
    ]);
    expect(parsed.invalid[0].error).toMatch(/^not valid JSON: /);
    expect(parsed.invalid.slice(1).map((i) => i.error)).toEqual([
      'each line must be a JSON object, found an array',
      'each line must be a JSON object, found null',
      'each line must be a JSON object, found "text"',
    ]);
  });

  it('reports missing fields and wrong types, with the external_id when it is readable', () => {
    // given
    const content = jsonl({ external_id: 'bank-1' }, { ...good, external_id: 7 }, { ...good, external_id: 'bank-3', currency: 840, reference: 12 });
    // when
    const parsed = parseStatement('jsonl', content);
    // then
    expect(parsed.invalid).toEqual([
      { line: 1, external_id: 'bank-1', error: 'amount is required; currency is required; direction is required; date is required' },
      { line: 2, external_id: null, error: 'external_id must be a string, found 7' },
      { line: 3, external_id: 'bank-3', error: 'currency must be 3 to 12 characters A-Z, 0-9 or _, found 840; reference must be a string, found 12' },
    ]);
  });

  it('reports a later duplicate external_id', () => {
    const parsed = parseStatement('jsonl', jsonl(good, { ...good, amount: '1' }));
    expect(parsed.lines).toHaveLength(1);
    expect(parsed.invalid).toEqual([{ line: 2, external_id: 'bank-1', error: 'duplicate external_id (first seen on line 1)' }]);
  });

  it('does not read fields from the object prototype', () => {
    const parsed = parseStatement('jsonl', '{"__proto__": {"amount": "5"}, "external_id": "b", "currency": "USD", "direction": "credit", "date": "2026-01-01"}');
    expect(parsed.invalid).toEqual([{ line: 1, external_id: 'b', error: 'amount is required' }]);
  });

  it('accepts an empty statement and refuses one line over MAX_STATEMENT_LINES', () => {
    expect(parseStatement('jsonl', '\n\n')).toEqual({ lines: [], invalid: [] });
    const over = Array.from({ length: MAX_STATEMENT_LINES + 1 }, () => '{}').join('\n');
    expect(formatErrorOf(() => parseStatement('jsonl', over)).code).toBe('too_many_lines');
  });
});

describe('splitCsvLine', () => {
  it.each([
    ['a,b,c', ['a', 'b', 'c']],
    ['', ['']],
    [',', ['', '']],
    ['a,,c,', ['a', '', 'c', '']],
    ['"a,b",c', ['a,b', 'c']],
    ['"say ""hi""",x', ['say "hi"', 'x']],
    ['""""', ['"']],
    ['"",""', ['', '']],
    ['x,"a,""b"",c"', ['x', 'a,"b",c']],
  ])('%j -> %j', (text, fields) => {
    expect(splitCsvLine(text)).toEqual({ fields });
  });

  it.each([
    ['"open', 'field 1: unterminated quoted field'],
    ['a,"open""', 'field 2: unterminated quoted field'],
    ['"a" ,b', 'field 1: unexpected character after the closing quote'],
    ['a"b', 'field 1: a quote inside an unquoted field (enclose the field in quotes and double the quote)'],
  ])('%j -> error', (text, error) => {
    expect(splitCsvLine(text)).toEqual({ error });
  });
});
