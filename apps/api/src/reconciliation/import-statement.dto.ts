import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';

/** A statement of at most this many characters (about 10,000 lines). */
export const STATEMENT_CHARS_MAX = 2_000_000;
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
  @Length(1, STATEMENT_CHARS_MAX)
  content!: string;

  @ApiPropertyOptional({ default: MATCH_WINDOW_DAYS_DEFAULT, description: 'amount + date matching window, in days either side' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(31)
  window_days?: number;
}
