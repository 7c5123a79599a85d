import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';
import { CommandOptionsDto } from '../http/command-options.dto.js';
import { METADATA_BYTES_MAX, TEXT_FIELD_LENGTH_MAX } from '#domain/index.js';
import { IsAmount, IsMetadata, IsRfc3339 } from '../http/validation.js';

export class PlaceHoldDto extends CommandOptionsDto {
  @ApiProperty({ format: 'uuid', description: 'source: funds are reserved here' })
  @IsString()
  @Length(1, 64)
  account_id!: string;

  @ApiProperty({ format: 'uuid' })
  @IsString()
  @Length(1, 64)
  destination_account_id!: string;

  @ApiProperty({ type: 'string', example: '5000', description: 'minor units, a string of digits (a safe JSON integer is accepted)' })
  @IsAmount()
  amount!: string | number;

  @ApiPropertyOptional({ example: '2030-01-01T00:00:00Z', format: 'date-time', description: 'RFC 3339; after it the hold expires' })
  @IsOptional()
  @IsRfc3339()
  expires_at?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(0, 255)
  reference?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(0, TEXT_FIELD_LENGTH_MAX)
  description?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsMetadata(METADATA_BYTES_MAX)
  metadata?: Record<string, unknown>;
}

export class CaptureHoldDto extends CommandOptionsDto {
  @ApiPropertyOptional({ type: 'string', description: 'default: the full held amount' })
  @IsOptional()
  @IsAmount()
  amount?: string | number;
}

export class ReleaseHoldDto extends CommandOptionsDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(0, TEXT_FIELD_LENGTH_MAX)
  reason?: string;
}
