import { Injectable, PipeTransform } from '@nestjs/common';
import { stripProtoKeys } from '@nestjs/common/utils/strip-proto-keys.util.js';
import { validateSync } from 'class-validator';
import {
  ENTRIES_PER_TRANSACTION_MAX,
  ENTRIES_PER_TRANSACTION_MIN,
  METADATA_BYTES_MAX,
  TEXT_FIELD_LENGTH_MAX,
  isCurrency,
  parseAmount,
} from '#domain/index.js';
import { ApiError } from '../http/api-error.js';
import { jsonShapeRefused, METADATA_DEPTH_MAX, toInstance, validationError, validationPipe, VALIDATOR_OPTIONS } from '../http/validation.js';
import { ACCOUNT_ID_LENGTH_MAX, EntryDto, PostTransactionDto, REFERENCE_LENGTH_MAX } from './post-transaction.dto.js';

const BODY_KEYS = new Set(['entries', 'description', 'reference', 'metadata', 'idempotency_key', 'intent_id']);
const ENTRY_KEYS = new Set(['account_id', 'direction', 'amount', 'currency']);
/**
 * Nest's pipe strips `__proto__`, `prototype` and `constructor` keys (at any depth); metadata
 * naming any property of Object.prototype takes the exact path, which does what the pipe does.
 */
const PROTOTYPE_KEY = new RegExp(`"(?:${Object.getOwnPropertyNames(Object.prototype).join('|')})":`);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

function hasOnlyKeys(value: Record<string, unknown>, keys: Set<string>): boolean {
  for (const key in value) if (!keys.has(key)) return false;
  return true;
}

/** IsOptional + IsString + Length(0, max): a string no longer than max is always inside validator.js's length. */
function isOptionalText(value: unknown, max: number): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.length <= max);
}

function isOptionalString(value: unknown): boolean {
  return value === undefined || value === null || typeof value === 'string';
}

/** IsOptional + IsMetadata, on a value class-transformer would copy unchanged. */
function isPlainMetadata(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (!isPlainObject(value) || jsonShapeRefused(value, METADATA_DEPTH_MAX)) return false;
  const text = JSON.stringify(value);
  return Buffer.byteLength(text) <= METADATA_BYTES_MAX && !PROTOTYPE_KEY.test(text);
}

function acceptEntry(value: unknown): EntryDto | null {
  if (!isPlainObject(value) || !hasOnlyKeys(value, ENTRY_KEYS)) return null;
  const { account_id, direction, amount, currency } = value;
  // Length(1, 64): validator.js counts a surrogate pair or a presentation sequence as one
  // character, so a string of 1 to 64 UTF-16 units is always inside it.
  if (typeof account_id !== 'string' || account_id.length < 1 || account_id.length > ACCOUNT_ID_LENGTH_MAX) return null;
  if (direction !== 'debit' && direction !== 'credit') return null;
  if (parseAmount(amount) === null) return null;
  if (currency !== undefined && currency !== null && !isCurrency(currency)) return null;
  const entry = { account_id, direction, amount } as EntryDto;
  if (currency !== undefined) entry.currency = currency as string;
  return entry;
}

/**
 * The accept path of a posting body, without class-transformer and class-validator: returns
 * what they would return for a body they certainly accept, or null when the body must take
 * the exact path (anything invalid, and valid but unusual shapes). Only the exact path ever
 * reports errors, so the error shape is class-validator's by construction; the spec checks
 * that this never accepts what class-validator refuses and returns the same DTO when both
 * accept.
 */
export function acceptPosting(body: unknown): PostTransactionDto | null {
  if (!isPlainObject(body) || !hasOnlyKeys(body, BODY_KEYS)) return null;
  const { entries, description, reference, metadata, idempotency_key, intent_id } = body;
  if (!Array.isArray(entries) || entries.length < ENTRIES_PER_TRANSACTION_MIN || entries.length > ENTRIES_PER_TRANSACTION_MAX) return null;
  if (!isOptionalText(description, TEXT_FIELD_LENGTH_MAX) || !isOptionalText(reference, REFERENCE_LENGTH_MAX)) return null;
  if (!isOptionalString(idempotency_key) || !isOptionalString(intent_id) || !isPlainMetadata(metadata)) return null;
  const accepted: EntryDto[] = new Array(entries.length);
  for (let i = 0; i < entries.length; i++) {
    const entry = acceptEntry(entries[i]);
    if (entry === null) return null;
    accepted[i] = entry;
  }
  const dto = { entries: accepted } as PostTransactionDto;
  if (description !== undefined) dto.description = description as string;
  if (reference !== undefined) dto.reference = reference as string;
  if (metadata !== undefined) dto.metadata = metadata as Record<string, unknown>;
  if (idempotency_key !== undefined) dto.idempotency_key = idempotency_key as string;
  if (intent_id !== undefined) dto.intent_id = intent_id as string;
  return dto;
}

/**
 * A validated posting body. An interface, not the DTO class, so that a parameter of this type
 * carries no class in its metadata and the global ValidationPipe does not validate it again.
 */
export interface AcceptedPosting extends PostTransactionDto {}

/**
 * class-validator's nested validation takes an array for a container, so an entry that is itself
 * an array (`entries: [[], {...}]`) passes it with nothing inside to check: refused here, by path.
 */
function refuseArrayEntries(dto: PostTransactionDto): PostTransactionDto {
  const index = dto.entries.findIndex((entry) => Array.isArray(entry));
  if (index >= 0) {
    throw ApiError.validation(`invalid entries.${index}`, { [`entries.${index}`]: ['each entry must be an object with account_id, direction and amount'] });
  }
  return dto;
}

/**
 * What the global pipe does for a body, for a batch item: strip the prototype-pollution keys
 * (`__proto__`, `prototype`, `constructor`, at any depth, as Nest does), then class-transformer
 * (metadata kept as sent: toInstance) and class-validator. Throws validation_failed.
 */
function exactPosting(body: Record<string, unknown>): PostTransactionDto {
  stripProtoKeys(body);
  const dto = toInstance(PostTransactionDto, body);
  const errors = validateSync(dto, VALIDATOR_OPTIONS);
  if (errors.length) throw validationError(errors);
  return refuseArrayEntries(dto);
}

/** One batch item: the accept path, else the exact path (throws validation_failed). */
export function validatePostingItem(item: object): PostTransactionDto {
  return acceptPosting(item) ?? exactPosting(item as Record<string, unknown>);
}

/**
 * The body of POST /transactions: the accept path, else exactly what the global
 * ValidationPipe does for a PostTransactionDto parameter (same errors, same transform).
 */
@Injectable()
export class PostTransactionBodyPipe implements PipeTransform<unknown, Promise<PostTransactionDto>> {
  private readonly exact = validationPipe();

  async transform(value: unknown): Promise<PostTransactionDto> {
    return acceptPosting(value) ?? refuseArrayEntries(await this.exact.transform(value, { type: 'body', metatype: PostTransactionDto, data: undefined }));
  }
}
