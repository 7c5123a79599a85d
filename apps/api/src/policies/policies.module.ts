import { Module } from '@nestjs/common';
import { ChangePolicyHandler } from './change-policy.handler.js';
import { CreatePolicyHandler } from './create-policy.handler.js';
import { PoliciesController } from './policies.controller.js';
import { GetPolicyHandler, ListPoliciesHandler } from './policy.queries.js';

@Module({
  controllers: [PoliciesController],
  providers: [CreatePolicyHandler, ChangePolicyHandler, GetPolicyHandler, ListPoliciesHandler],
})
export class PoliciesModule {}
