import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { CommandOptionsDto } from '../http/command-options.dto.js';
import { METADATA_BYTES_MAX, NormalBalance, PATH_LENGTH_MAX, PATH_PATTERN, PATH_SEGMENTS_MAX } from '#domain/index.js';
import { IsCurrencyCode, IsMetadata } from '../http/validation.js';

export class OpenAccountDto extends CommandOptionsDto {
  @ApiProperty({ example: 'customer_123' })
  @IsString()
  @Length(1, 255)
  customer!: string;

  @ApiProperty({ example: 'USD', description: '3-12 characters of A-Z, 0-9, _' })
  @IsCurrencyCode()
  currency!: string;

  @ApiProperty({ example: 'customer', description: 'free text: operating, customer, settlement, ...' })
  @IsString()
  @Length(1, 64)
  account_type!: string;

  @ApiPropertyOptional({ enum: ['credit', 'debit'], default: 'credit' })
  @IsOptional()
  @IsIn(['credit', 'debit'])
  normal_balance?: NormalBalance;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  allow_negative?: boolean;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsMetadata(METADATA_BYTES_MAX)
  metadata?: Record<string, unknown>;

  @ApiPropertyOptional({ example: 'merchants:acme:settlement', description: `segments of [a-z0-9_-] joined by ':', at most ${PATH_SEGMENTS_MAX} segments and ${PATH_LENGTH_MAX} characters; unique per tenant` })
  @IsOptional()
  @IsString()
  @Length(1, PATH_LENGTH_MAX)
  @Matches(PATH_PATTERN, { message: "path must be segments of a-z, 0-9, _ and - joined by ':'" })
  @Matches(new RegExp(`^[^:]*(?::[^:]*){0,${PATH_SEGMENTS_MAX - 1}}$`), { message: `path has at most ${PATH_SEGMENTS_MAX} segments` })
  path?: string;
}
