import { Type, ValidationError, ValidationPipe } from '@nestjs/common';
import type { TransformerPackage } from '@nestjs/common/interfaces/external/transformer-package.interface.js';
import { ClassTransformOptions, instanceToPlain, plainToInstance } from 'class-transformer';
import { registerDecorator, ValidationOptions } from 'class-validator';
import { isCurrency, parseAmount, parseRfc3339 } from '#domain/index.js';
import { ApiError } from './api-error.js';

function collect(errors: ValidationError[], prefix: string, into: Record<string, string[]>): void {
  for (const error of errors) {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    if (error.constraints) into[path] = Object.values(error.constraints);
    if (error.children?.length) collect(error.children, path, into);
  }
}

/** class-validator's errors as the API's: 400 validation_failed, details.fields by path. */
export function validationError(errors: ValidationError[], prefix = ''): ApiError {
  const fields: Record<string, string[]> = {};
  collect(errors, prefix, fields);
  const names = Object.keys(fields);
  return ApiError.validation(`invalid ${names.join(', ') || 'request body'}`, fields);
}

export const VALIDATOR_OPTIONS = { whitelist: true, forbidUnknownValues: true } as const;

/**
 * class-transformer's plainToInstance, with a body's free-form `metadata` taken as it is (then
 * validated as it is): copied key by key, keys named like Object.prototype's (`toString`,
 * `valueOf`, ...) were dropped, and `{"constructor": {"prototype": ...}}` threw (a 500 for a
 * client's data). The pipe has already removed `__proto__`, `prototype` and `constructor` keys
 * at any depth (Nest's prototype-pollution guard); those are never stored.
 */
export function toInstance<T>(cls: new () => T, plain: unknown, options?: ClassTransformOptions): T {
  if (typeof plain === 'object' && plain !== null && !Array.isArray(plain) && 'metadata' in plain) {
    const { metadata, ...rest } = plain as Record<string, unknown>;
    const instance = plainToInstance(cls, rest, options) as T & { metadata?: unknown };
    instance.metadata = metadata;
    return instance;
  }
  return plainToInstance(cls, plain, options) as T;
}

const TRANSFORMER: TransformerPackage = {
  plainToInstance: <T>(cls: Type<T>, plain: unknown, options?: ClassTransformOptions) => toInstance(cls as new () => T, plain, options),
  classToPlain: (object: unknown, options?: ClassTransformOptions) => instanceToPlain(object, options),
};

export function validationPipe(): ValidationPipe {
  return new ValidationPipe({ transform: true, ...VALIDATOR_OPTIONS, transformerPackage: TRANSFORMER, exceptionFactory: (errors) => validationError(errors) });
}

/** A positive integer amount in minor units: digits string or safe integer, at most 2^63-1. */
export function IsAmount(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isAmount',
      target: target.constructor,
      propertyName,
      options: { message: `${propertyName} must be a positive integer amount in minor units (a string of digits, at most 9223372036854775807)`, ...options },
      validator: { validate: (value: unknown) => parseAmount(value) !== null },
    });
}

export function IsCurrencyCode(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isCurrencyCode',
      target: target.constructor,
      propertyName,
      options: { message: `${propertyName} must be 3-12 characters of A-Z, 0-9 or _`, ...options },
      validator: { validate: (value: unknown) => isCurrency(value) },
    });
}

/**
 * A strict RFC 3339 date-time (libs/domain parseRfc3339): class-validator's IsISO8601 also takes
 * week dates (`2030-W01-1`), which `new Date` cannot read, and year 0000, which PostgreSQL cannot
 * store; both were 500s. Read the value with canonicalRfc3339 once it has passed.
 */
export function IsRfc3339(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isRfc3339',
      target: target.constructor,
      propertyName,
      options: { message: `${propertyName} must be an RFC 3339 time with an offset, years 0001-9999, e.g. 2030-01-01T00:00:00Z`, ...options },
      validator: { validate: (value: unknown) => parseRfc3339(value) !== null },
    });
}

/** Nesting levels metadata may have (deeper JSON would overflow the stack of anything recursive). */
export const METADATA_DEPTH_MAX = 32;

/**
 * A JSON value nested deeper than `max` (counted without recursion; stops early), or holding a
 * number JSON cannot carry back: `1e400` parses to Infinity, which would be stored as null.
 */
export function jsonShapeRefused(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current === 'number' && !Number.isFinite(current)) return true;
    if (typeof current !== 'object' || current === null) continue;
    if (depth > max) return true;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return false;
}

/** A JSON object of at most `maxBytes` (serialized) and METADATA_DEPTH_MAX levels, with finite numbers. */
export function isMetadataObject(value: unknown, maxBytes: number): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || jsonShapeRefused(value, METADATA_DEPTH_MAX)) return false;
  return Buffer.byteLength(JSON.stringify(value)) <= maxBytes;
}

/** Bounded JSON object for free-form metadata. */
export function IsMetadata(maxBytes: number, options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isMetadata',
      target: target.constructor,
      propertyName,
      options: { message: `${propertyName} must be a JSON object of at most ${maxBytes} bytes and ${METADATA_DEPTH_MAX} levels, with finite numbers`, ...options },
      validator: { validate: (value: unknown) => isMetadataObject(value, maxBytes) },
    });
}
