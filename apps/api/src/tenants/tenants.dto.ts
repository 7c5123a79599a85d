import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { Role, ROLES } from '#tenancy/index.js';

export class CreateTenantDto {
  @ApiProperty({ example: 'acme' })
  @IsString()
  @Length(1, 255)
  name!: string;
}

export class CreateApiKeyDto {
  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES as unknown as string[])
  role!: Role;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 255)
  name?: string;

  @ApiPropertyOptional({ description: 'RFC 3339; after it the key answers 401. A key that expires cannot issue one that outlives it.', example: '2030-01-01T00:00:00Z' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  expires_at?: string;
}
