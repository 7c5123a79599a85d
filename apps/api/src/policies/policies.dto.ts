import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsObject, IsOptional, IsString, Length } from 'class-validator';
import { POLICY_MODES, POLICY_NAME_LENGTH_MAX, POLICY_TYPES, PolicyMode, PolicyType } from '#domain/index.js';
import { CommandOptionsDto } from '../http/command-options.dto.js';

/**
 * `scope` and `params` as the client sent them: class-transformer would copy them key by key and
 * drop keys named like Object.prototype's (`toString`), which the domain's parsers must see to
 * refuse them as unknown. Their shape is checked there (parsePolicyScope, parsePolicyRule).
 */
const AsSent = () => Transform(({ obj, key }) => (obj as Record<string, unknown>)[key]);

const PARAMS_DESCRIPTION =
  'amount_limit {currency, max_amount}; velocity_limit {currency, max_amount, window_seconds, max_count?}; ' +
  'currency_allowlist {currencies}; balance_monitor {currency, threshold, when: below|above}. Amounts in minor units.';

export class CreatePolicyDto extends CommandOptionsDto {
  @ApiProperty({ example: 'max 1,000.00 USD per payment' })
  @IsString()
  @Length(1, POLICY_NAME_LENGTH_MAX)
  name!: string;

  @ApiProperty({ enum: POLICY_TYPES })
  @IsIn(POLICY_TYPES)
  type!: PolicyType;

  @ApiPropertyOptional({ enum: POLICY_MODES, default: 'enforce' })
  @IsOptional()
  @IsIn(POLICY_MODES)
  mode?: PolicyMode;

  @ApiPropertyOptional({ type: 'object', description: '{account_id?, account_type?, currency?}; absent: every account', additionalProperties: true })
  @IsOptional()
  @IsObject()
  @AsSent()
  scope?: Record<string, unknown> | null;

  @ApiProperty({ type: 'object', description: PARAMS_DESCRIPTION, additionalProperties: true })
  @IsObject()
  @AsSent()
  params!: Record<string, unknown>;
}

/** What PATCH /policies/:id may change; what is given replaces what the policy had (type and name never change). */
export class UpdatePolicyDto extends CommandOptionsDto {
  @ApiPropertyOptional({ enum: POLICY_MODES })
  @IsOptional()
  @IsIn(POLICY_MODES)
  mode?: PolicyMode;

  @ApiPropertyOptional({ type: 'object', description: 'replaces the scope; null or {}: every account', additionalProperties: true })
  @IsOptional()
  @IsObject()
  @AsSent()
  scope?: Record<string, unknown> | null;

  @ApiPropertyOptional({ type: 'object', description: `the whole params of the policy's type: ${PARAMS_DESCRIPTION}`, additionalProperties: true })
  @IsOptional()
  @IsObject()
  @AsSent()
  params?: Record<string, unknown>;
}
