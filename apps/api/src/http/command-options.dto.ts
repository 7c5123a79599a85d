import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';

/** What every command body may carry besides its own fields. */
export class CommandOptionsDto {
  @ApiPropertyOptional({ description: 'same as the Idempotency-Key header' })
  @IsOptional()
  @IsString()
  idempotency_key?: string;

  @ApiPropertyOptional({ description: 'same as the X-Intent-Id header; traced at GET /intents/:id' })
  @IsOptional()
  @IsString()
  intent_id?: string;
}
