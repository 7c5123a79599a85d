import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsOptional, IsString, Length, Max, Min, ValidateNested } from 'class-validator';
import { CommandOptionsDto } from '../http/command-options.dto.js';
import { canonicalRfc3339, Direction, ENTRIES_PER_TRANSACTION_MAX, parseAmount, PostTransaction, ENTRIES_PER_TRANSACTION_MIN, METADATA_BYTES_MAX, TEXT_FIELD_LENGTH_MAX } from '#domain/index.js';
import { IsAmount, IsCurrencyCode, IsMetadata, IsRfc3339 } from '../http/validation.js';

/** Limits the compiled accept path (posting-body.ts) applies too. */
export const ACCOUNT_ID_LENGTH_MAX = 64;
export const REFERENCE_LENGTH_MAX = 255;

export class EntryDto {
  @ApiProperty({ format: 'uuid' })
  @IsString()
  @Length(1, ACCOUNT_ID_LENGTH_MAX)
  account_id!: string;

  @ApiProperty({ enum: ['debit', 'credit'] })
  @IsIn(['debit', 'credit'])
  direction!: Direction;

  @ApiProperty({ type: 'string', example: '125000', description: 'minor units, a string of digits (a safe JSON integer is accepted)' })
  @IsAmount()
  amount!: string | number;

  @ApiPropertyOptional({ description: "when given, must equal the account's currency" })
  @IsOptional()
  @IsCurrencyCode()
  currency?: string;

  @ApiPropertyOptional({ minimum: 0, description: "the account's lock_version this posting expects; another: 409 lock_version_mismatch, nothing appended" })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  expected_lock_version?: number;
}

export class PostTransactionDto extends CommandOptionsDto {
  @ApiProperty({ type: [EntryDto], minItems: ENTRIES_PER_TRANSACTION_MIN, maxItems: ENTRIES_PER_TRANSACTION_MAX })
  @IsArray()
  @ArrayMinSize(ENTRIES_PER_TRANSACTION_MIN)
  @ArrayMaxSize(ENTRIES_PER_TRANSACTION_MAX)
  @ValidateNested({ each: true })
  @Type(() => EntryDto)
  entries!: EntryDto[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(0, TEXT_FIELD_LENGTH_MAX)
  description?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(0, REFERENCE_LENGTH_MAX)
  reference?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsMetadata(METADATA_BYTES_MAX)
  metadata?: Record<string, unknown>;

  @ApiPropertyOptional({ format: 'date-time', description: 'RFC 3339: when the posting takes effect (default: when it is posted); not in the future, not before an account was opened' })
  @IsOptional()
  @IsRfc3339()
  effective_at?: string;
}

/** The domain command a validated posting body stands for. */
export function toPostTransaction(dto: PostTransactionDto): PostTransaction {
  return {
    type: 'post_transaction',
    entries: dto.entries.map((e) => ({
      account_id: e.account_id.toLowerCase(),
      direction: e.direction,
      amount: parseAmount(e.amount)!,
      ...(e.currency !== undefined ? { currency: e.currency } : {}),
      ...(e.expected_lock_version !== undefined && e.expected_lock_version !== null ? { expected_lock_version: e.expected_lock_version } : {}),
    })),
    description: dto.description ?? null,
    reference: dto.reference ?? null,
    metadata: dto.metadata ?? {},
    ...(dto.effective_at !== undefined && dto.effective_at !== null ? { effective_at: canonicalRfc3339(dto.effective_at) } : {}),
  };
}
