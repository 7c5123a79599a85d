import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ApiError } from '../http/api-error.js';
import { toApiError } from '../http/error.filter.js';
import { validationError, validationPipe, VALIDATOR_OPTIONS } from '../http/validation.js';
import { PostTransactionDto, toPostTransaction } from './post-transaction.dto.js';
import { acceptPosting, PostTransactionBodyPipe, validatePostingItem } from './posting-body.js';

/**
 * The compiled accept path must never accept a body class-validator refuses, must return the
 * same DTO when both accept, and every refusal must carry class-validator's exact error.
 * Inputs are JSON text, parsed per use, as they arrive on the wire.
 */
const A = '5b0c6f4e-8f3a-4c55-9a59-4f1b8c7d0a11';
const B = '7e1d2a3b-1c4d-4e5f-8a9b-0c1d2e3f4a5b';
const entry = (account_id: string, direction: string, amount: unknown = '100') => ({ account_id, direction, amount });
const valid = { entries: [entry(A, 'debit'), entry(B, 'credit')] };

/** What the global ValidationPipe (the route's old path) answers: a DTO or an error body. */
async function viaGlobalPipe(text: string): Promise<{ dto: unknown } | { error: unknown }> {
  try {
    return { dto: await validationPipe().transform(JSON.parse(text), { type: 'body', metatype: PostTransactionDto, data: undefined }) };
  } catch (error) {
    return { error: (error as ApiError).toBody() };
  }
}

/** What the batch's old path answers for one item (a throw becomes the item's error, as in the batch). */
function viaValidateSync(text: string): { dto: unknown } | { error: unknown } {
  try {
    const dto = plainToInstance(PostTransactionDto, JSON.parse(text));
    const errors = validateSync(dto, VALIDATOR_OPTIONS);
    return errors.length ? { error: validationError(errors).toBody() } : { dto };
  } catch (error) {
    return { error: toApiError(error).toBody() };
  }
}

async function viaNewPipe(text: string): Promise<{ dto: unknown } | { error: unknown }> {
  try {
    return { dto: await new PostTransactionBodyPipe().transform(JSON.parse(text)) };
  } catch (error) {
    return { error: (error as ApiError).toBody() };
  }
}

function viaNewItem(text: string): { dto: unknown } | { error: unknown } {
  try {
    return { dto: validatePostingItem(JSON.parse(text)) };
  } catch (error) {
    return { error: toApiError(error).toBody() };
  }
}

/** Class instances and plain objects compare by their fields. */
const plain = (value: unknown) => JSON.parse(JSON.stringify(value));

/** The command a DTO stands for, or what converting it throws (class-validator lets some odd shapes through). */
function commandOf(result: { dto: unknown } | { error: unknown }): unknown {
  if (!('dto' in result)) return result;
  try {
    return toPostTransaction(result.dto as PostTransactionDto);
  } catch (error) {
    return { thrown: String(error) };
  }
}

/**
 * The two places the exact path departs from plain class-transformer + class-validator on
 * purpose (posting-body.ts): an entry that is an array is refused by its path (class-validator
 * passes it and converting it threw), and metadata is kept exactly as sent (class-transformer
 * drops keys named like Object.prototype's, or throws on some). The reference is adjusted to
 * match, so everything else is still compared with class-validator word for word.
 */
function isPlainMetadata(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function withoutProtoKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutProtoKeys);
  if (!isPlainMetadata(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => !['__proto__', 'prototype', 'constructor'].includes(k)).map(([k, v]) => [k, withoutProtoKeys(v)]));
}

function departures(text: string, result: { dto: unknown } | { error: unknown }): { dto: unknown } | { error: unknown } {
  const body = JSON.parse(text);
  const arrayEntry = Array.isArray(body?.entries) ? body.entries.findIndex((e: unknown) => Array.isArray(e)) : -1;
  if ('dto' in result && arrayEntry >= 0) {
    const path = `entries.${arrayEntry}`;
    return { error: { error: { code: 'validation_failed', message: `invalid ${path}`, details: { fields: { [path]: ['each entry must be an object with account_id, direction and amount'] } } } } };
  }
  if (body && typeof body === 'object' && !Array.isArray(body) && isPlainMetadata(body.metadata)) {
    // Metadata as sent, less the prototype-pollution keys Nest strips at any depth.
    const metadata = withoutProtoKeys(body.metadata);
    if ('dto' in result) return { dto: { ...(plain(result.dto) as object), metadata } };
    const { metadata: _, ...rest } = body;
    const without = viaValidateSync(JSON.stringify(rest));
    // class-transformer threw on the metadata itself: what the exact path answers with it kept.
    if ((result.error as any)?.error?.code === 'internal') return 'dto' in without ? { dto: { ...(plain(without.dto) as object), metadata } } : without;
  }
  return result;
}

async function expectSameAsClassValidator(text: string): Promise<'accepted' | 'refused'> {
  const [reference, ours] = [departures(text, await viaGlobalPipe(text)), await viaNewPipe(text)];
  const [batchReference, batchOurs] = [departures(text, viaValidateSync(text)), viaNewItem(text)];
  const fast = acceptPosting(JSON.parse(text));
  if ('error' in reference || 'error' in batchReference) expect(fast).toBeNull();
  expect('error' in ours ? ours : plain(ours.dto)).toEqual('error' in reference ? reference : plain(reference.dto));
  expect('error' in batchOurs ? batchOurs : plain(batchOurs.dto)).toEqual('error' in batchReference ? batchReference : plain(batchReference.dto));
  expect(commandOf(ours)).toEqual(commandOf(reference));
  expect(commandOf(batchOurs)).toEqual(commandOf(batchReference));
  return 'error' in reference ? 'refused' : 'accepted';
}

const BAD_BODIES: [string, unknown][] = [
  ['no entries', {}],
  ['entries not an array', { entries: 'x' }],
  ['entries an object', { entries: { 0: entry(A, 'debit'), 1: entry(B, 'credit') } }],
  ['one entry', { entries: [entry(A, 'debit')] }],
  ['513 entries', { entries: Array.from({ length: 513 }, (_, i) => entry(A, i % 2 ? 'credit' : 'debit')) }],
  ['entry null', { entries: [null, entry(B, 'credit')] }],
  ['entry a string', { entries: ['x', entry(B, 'credit')] }],
  ['entry an array', { entries: [[A, 'debit', '1'], entry(B, 'credit')] }],
  ['amount zero', { entries: [entry(A, 'debit', '0'), entry(B, 'credit', '0')] }],
  ['amount negative', { entries: [entry(A, 'debit', '-1'), entry(B, 'credit')] }],
  ['amount decimal string', { entries: [entry(A, 'debit', '1.5'), entry(B, 'credit')] }],
  ['amount float', { entries: [entry(A, 'debit', 1.5), entry(B, 'credit')] }],
  ['amount unsafe integer', { entries: [entry(A, 'debit', 2 ** 53), entry(B, 'credit')] }],
  ['amount 2^63', { entries: [entry(A, 'debit', '9223372036854775808'), entry(B, 'credit')] }],
  ['amount exponent', { entries: [entry(A, 'debit', '1e3'), entry(B, 'credit')] }],
  ['amount missing', { entries: [{ account_id: A, direction: 'debit' }, entry(B, 'credit')] }],
  ['amount boolean', { entries: [entry(A, 'debit', true), entry(B, 'credit')] }],
  ['direction unknown', { entries: [entry(A, 'DEBIT'), entry(B, 'credit')] }],
  ['direction missing', { entries: [{ account_id: A, amount: '1' }, entry(B, 'credit')] }],
  ['account_id empty', { entries: [entry('', 'debit'), entry(B, 'credit')] }],
  ['account_id 65 characters', { entries: [entry('a'.repeat(65), 'debit'), entry(B, 'credit')] }],
  ['account_id a number', { entries: [entry(7 as unknown as string, 'debit'), entry(B, 'credit')] }],
  ['currency lower case', { entries: [{ ...entry(A, 'debit'), currency: 'usd' }, entry(B, 'credit')] }],
  ['currency too long', { entries: [{ ...entry(A, 'debit'), currency: 'ABCDEFGHIJKLM' }, entry(B, 'credit')] }],
  ['currency a number', { entries: [{ ...entry(A, 'debit'), currency: 840 }, entry(B, 'credit')] }],
  ['description a number', { ...valid, description: 5 }],
  ['description too long', { ...valid, description: 'd'.repeat(1025) }],
  ['reference too long', { ...valid, reference: 'r'.repeat(256) }],
  ['reference an object', { ...valid, reference: {} }],
  ['metadata an array', { ...valid, metadata: [] }],
  ['metadata a string', { ...valid, metadata: 'x' }],
  ['metadata too large', { ...valid, metadata: { blob: 'm'.repeat(16 * 1024) } }],
  ['idempotency_key a number', { ...valid, idempotency_key: 1 }],
  ['intent_id an object', { ...valid, intent_id: { a: 1 } }],
  ['several errors at once', { entries: [entry('', 'up', '0')], description: 1, metadata: 2 }],
];

const GOOD_BODIES: [string, unknown][] = [
  ['two entries', valid],
  ['512 entries', { entries: Array.from({ length: 512 }, (_, i) => entry(A, i % 2 ? 'credit' : 'debit')) }],
  ['safe integer amounts', { entries: [entry(A, 'debit', 125000), entry(B, 'credit', 125000)] }],
  ['leading zeros and 2^63-1', { entries: [entry(A, 'debit', '0009223372036854775807'.slice(3)), entry(B, 'credit', '007')] }],
  ['currency and null currency', { entries: [{ ...entry(A, 'debit'), currency: 'USDC' }, { ...entry(B, 'credit'), currency: null }] }],
  ['upper-case account id of 64 characters', { entries: [entry(A.toUpperCase(), 'debit'), entry('x'.repeat(64), 'credit')] }],
  ['astral account id', { entries: [entry('😀', 'debit'), entry('\uFE0F', 'credit')] }],
  ['every optional field', { ...valid, description: 'd'.repeat(1024), reference: 'r'.repeat(255), metadata: { a: [1, { b: null }], c: 'x' }, idempotency_key: 'k', intent_id: 'i' }],
  ['nulls for optional fields', { ...valid, description: null, reference: null, metadata: null, idempotency_key: null, intent_id: null }],
  ['empty strings', { ...valid, description: '', reference: '', idempotency_key: '', intent_id: '' }],
  ['unknown fields are stripped', { ...valid, extra: 1, entries: [{ ...entry(A, 'debit'), note: 'x' }, entry(B, 'credit')] }],
  ['metadata with prototype names as keys', { ...valid, metadata: { toString: 'x', nested: { constructor: 1, valueOf: [2] }, ok: true } }],
  ['metadata with odd keys', { ...valid, metadata: { '': 1, '0': 2, length: 3, 'a"b': 4, 'ü': { '\n': [] } } }],
];

describe('posting body: compiled accept path vs class-validator', () => {
  it.each(BAD_BODIES)('refuses %s with class-validator’s exact error', async (_name, body) => {
    expect(await expectSameAsClassValidator(JSON.stringify(body))).toBe('refused');
  });

  it.each(GOOD_BODIES)('accepts %s with the same DTO and command', async (_name, body) => {
    expect(await expectSameAsClassValidator(JSON.stringify(body))).toBe('accepted');
  });

  it('takes the fast path for ordinary bodies', () => {
    for (const [name, body] of GOOD_BODIES) {
      if (name.startsWith('metadata with prototype') || name.startsWith('unknown fields')) continue;
      expect([name, acceptPosting(JSON.parse(JSON.stringify(body))) !== null]).toEqual([name, true]);
    }
  });

  it('leaves __proto__ keys to the exact path', async () => {
    const texts = [
      `{"entries":[{"account_id":"${A}","direction":"debit","amount":"1"},{"account_id":"${B}","direction":"credit","amount":"1"}],"__proto__":{"x":1}}`,
      `{"entries":[{"account_id":"${A}","direction":"debit","amount":"1","__proto__":{}},{"account_id":"${B}","direction":"credit","amount":"1"}]}`,
      `{"entries":[{"account_id":"${A}","direction":"debit","amount":"1"},{"account_id":"${B}","direction":"credit","amount":"1"}],"metadata":{"a":{"__proto__":{"b":1}}}}`,
    ];
    for (const text of texts) {
      expect(acceptPosting(JSON.parse(text))).toBeNull();
      await expectSameAsClassValidator(text);
    }
  });

  /** Every field of the body and of an entry, set to each of these values in turn. */
  const ODD_VALUES: unknown[] = [
    undefined, null, '', ' ', 'x', 'debit', 'credit', 'USD', 'usd', 'US', 'A_B_C_D_E_F_G', '0', '1', '01', '-1', '+1', '1.0', '1e2', ' 1',
    '9223372036854775807', '9223372036854775808', '12345678901234567890', 0, 1, -1, 1.5, 2 ** 53 - 1, 2 ** 53, true, false, {}, [], [1], { a: 1 },
    'a'.repeat(64), 'a'.repeat(65), 'a'.repeat(256), 'a'.repeat(1025), '😀'.repeat(40), '\uFE0F',
  ];

  it('agrees with class-validator on every field set to every odd value', async () => {
    const verdicts = { accepted: 0, refused: 0 };
    const bodyFields = ['entries', 'description', 'reference', 'metadata', 'idempotency_key', 'intent_id', 'other'];
    const entryFields = ['account_id', 'direction', 'amount', 'currency', 'other'];
    for (const value of ODD_VALUES) {
      for (const field of bodyFields) verdicts[await expectSameAsClassValidator(JSON.stringify({ ...valid, [field]: value }))]++;
      for (const field of entryFields) {
        const body = { entries: [{ ...valid.entries[0], [field]: value }, valid.entries[1]] };
        verdicts[await expectSameAsClassValidator(JSON.stringify(body))]++;
      }
      verdicts[await expectSameAsClassValidator(JSON.stringify({ entries: [value, valid.entries[1]] }))]++;
    }
    // Both outcomes are exercised, so the comparison means something either way.
    expect(verdicts.accepted).toBeGreaterThan(50);
    expect(verdicts.refused).toBeGreaterThan(200);
  });
});
