import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional, IsString, Length } from 'class-validator';
import { TEXT_FIELD_LENGTH_MAX } from '#domain/index.js';
import { ALL_EVENTS, PUBLIC_EVENT_TYPES, WEBHOOK_URL_LENGTH_MAX } from '#webhooks/index.js';
import { IsRfc3339 } from '../http/validation.js';

const SUBSCRIBABLE = [ALL_EVENTS, ...PUBLIC_EVENT_TYPES];

export class CreateWebhookEndpointDto {
  @ApiProperty({ example: 'https://example.com/zentra/webhooks', description: 'http(s); loopback and private targets are refused unless LEDGER_WEBHOOK_ALLOW_PRIVATE=true' })
  @IsString()
  @Length(1, WEBHOOK_URL_LENGTH_MAX)
  url!: string;

  @ApiProperty({ example: ['ledger.entry.posted'], description: `["*"] for every type, or some of: ${PUBLIC_EVENT_TYPES.join(', ')}`, enum: SUBSCRIBABLE, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(SUBSCRIBABLE.length)
  @IsIn(SUBSCRIBABLE, { each: true, message: `each value in events must be "*" or one of ${PUBLIC_EVENT_TYPES.join(', ')}` })
  events!: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(0, TEXT_FIELD_LENGTH_MAX)
  description?: string;
}

export class ReplayDeliveriesDto {
  @ApiProperty({ format: 'uuid' })
  @IsString()
  @Length(1, 64)
  endpoint_id!: string;

  @ApiProperty({ example: '2026-01-01T00:00:00Z', format: 'date-time', description: 'RFC 3339; deliveries created at or after it' })
  @IsRfc3339()
  from!: string;

  @ApiProperty({ example: '2026-01-02T00:00:00Z', format: 'date-time', description: 'RFC 3339; deliveries created before it' })
  @IsRfc3339()
  to!: string;
}
