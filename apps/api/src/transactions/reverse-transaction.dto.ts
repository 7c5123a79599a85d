import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';
import { CommandOptionsDto } from '../http/command-options.dto.js';
import { TEXT_FIELD_LENGTH_MAX } from '#domain/index.js';

export class ReverseTransactionDto extends CommandOptionsDto {
  @ApiPropertyOptional({ example: 'duplicate charge' })
  @IsOptional()
  @IsString()
  @Length(0, TEXT_FIELD_LENGTH_MAX)
  reason?: string;
}
