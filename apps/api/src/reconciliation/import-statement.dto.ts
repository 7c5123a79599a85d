import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, Min, MinLength } from 'class-validator';

/**
 * A statement's content of at most this many bytes (UTF-8); more is 413 payload_too_large. 4 MiB
 * holds MAX_STATEMENT_LINES lines of ~420 bytes (a bank's CSV line is typically 60-120), well
 * under the route's 16 MiB body limit even with JSON escaping.
 */
export const STATEMENT_CONTENT_BYTES_MAX = 4 * 1024 * 1024;
export const MATCH_WINDOW_DAYS_DEFAULT = 2;

export class ImportStatementDto {
  @ApiProperty({ format: 'uuid' })
  @IsString()
  @Length(1, 64)
  account_id!: string;

  @ApiProperty({ enum: ['csv', 'jsonl'] })
  @IsIn(['csv', 'jsonl'])
  format!: 'csv' | 'jsonl';

  @ApiProperty({ description: 'columns/fields: external_id, amount, currency, direction, date (YYYY-MM-DD), reference' })
  @IsString()
  @MinLength(1)
  content!: string;

  @ApiPropertyOptional({ default: MATCH_WINDOW_DAYS_DEFAULT, description: 'amount + date matching window, in days either side' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(31)
  window_days?: number;
}
