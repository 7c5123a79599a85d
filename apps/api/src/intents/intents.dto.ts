import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { INTENT_MONEY_MODEL, INTENT_PRIMITIVES, METADATA_BYTES_MAX, ROUTE_PRIORITY_MAX, TEXT_FIELD_LENGTH_MAX } from '#domain/index.js';
import { IsAmount, IsCurrencyCode, IsMetadata, IsRfc3339 } from '../http/validation.js';

/** A corridor is the tenant's own label for a way money moves ("us-ach", "eu-sepa", "card"). */
export const CORRIDOR_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
const CORRIDOR_RULE = '1-64 characters: letters, digits, and _ . : - (not first)';
/** Intent ids are the caller's: printable ASCII without spaces, as idempotency keys. */
const INTENT_ID_PATTERN = /^[\x21-\x7e]{1,255}$/;

export class CreateRouteDto {
  @ApiProperty({ example: 'ACH primary' })
  @IsString()
  @Length(1, 255)
  name!: string;

  @ApiProperty({ example: 'USD' })
  @IsCurrencyCode()
  currency!: string;

  @ApiProperty({ example: 'us-ach', description: CORRIDOR_RULE })
  @IsString()
  @Matches(CORRIDOR_PATTERN, { message: `corridor must be ${CORRIDOR_RULE}` })
  corridor!: string;

  @ApiProperty({ format: 'uuid', description: 'credit-normal, or allowed to go negative; in the route currency' })
  @IsString()
  @Length(1, 64)
  settlement_account_id!: string;

  @ApiPropertyOptional({ default: 100, minimum: 0, maximum: ROUTE_PRIORITY_MAX, description: 'lower first' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(ROUTE_PRIORITY_MAX)
  priority?: number;
}

export class CreateIntentDto {
  @ApiProperty({ example: 'intent_042', description: 'the caller-chosen id; POST /intents is idempotent on it' })
  @IsString()
  @Matches(INTENT_ID_PATTERN, { message: 'intent_id must be 1-255 printable ASCII characters without spaces' })
  intent_id!: string;

  @ApiProperty({ example: 'workspace_scope', description: "the caller's scope label; resolved to the API key's tenant" })
  @IsString()
  @Length(1, 255)
  scope!: string;

  @ApiProperty({ enum: [INTENT_MONEY_MODEL] })
  @IsIn([INTENT_MONEY_MODEL], { message: `money_model must be "${INTENT_MONEY_MODEL}"` })
  money_model!: string;

  @ApiProperty({ type: [String], enum: [...INTENT_PRIMITIVES], example: ['policy', 'ledger', 'events'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(INTENT_PRIMITIVES.length)
  @ArrayUnique()
  @IsIn([...INTENT_PRIMITIVES], { each: true, message: `primitives must be a subset of ${INTENT_PRIMITIVES.join(', ')}` })
  primitives!: string[];

  @ApiProperty({ example: '125000', description: 'minor units' })
  @IsAmount()
  amount!: string | number;

  @ApiProperty({ example: 'USD' })
  @IsCurrencyCode()
  currency!: string;

  @ApiProperty({ format: 'uuid' })
  @IsString()
  @Length(1, 64)
  source_account_id!: string;

  @ApiProperty({ format: 'uuid' })
  @IsString()
  @Length(1, 64)
  destination_account_id!: string;

  @ApiProperty({ example: 'us-ach', description: CORRIDOR_RULE })
  @IsString()
  @Matches(CORRIDOR_PATTERN, { message: `corridor must be ${CORRIDOR_RULE}` })
  corridor!: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'RFC 3339; an unsettled intent is canceled by the runtime then' })
  @IsOptional()
  @IsRfc3339()
  expires_at?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsMetadata(METADATA_BYTES_MAX)
  metadata?: Record<string, unknown>;
}

export class CancelIntentDto {
  @ApiPropertyOptional({ description: 'kept with the cancellation and on the hold release' })
  @IsOptional()
  @IsString()
  @Length(0, TEXT_FIELD_LENGTH_MAX)
  reason?: string;
}
