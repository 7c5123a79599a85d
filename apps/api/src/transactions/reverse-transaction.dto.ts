import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';
import { TEXT_FIELD_LENGTH_MAX } from '../../../../libs/domain/src/index.js';

export class ReverseTransactionDto {
  @ApiPropertyOptional({ example: 'duplicate charge' })
  @IsOptional()
  @IsString()
  @Length(0, TEXT_FIELD_LENGTH_MAX)
  reason?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  idempotency_key?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  intent_id?: string;
}
