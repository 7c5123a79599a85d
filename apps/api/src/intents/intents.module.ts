import { Module } from '@nestjs/common';
import { EvidenceModule } from '../evidence/evidence.module.js';
import { IntentsController, RoutesController } from './intents.controller.js';
import { ChangeRouteStatusHandler, CreateIntentHandler, CreateRouteHandler, ResolveIntentHandler } from './intents.commands.js';
import { GetIntentHandler, ListIntentsHandler, ListRoutesHandler } from './intents.queries.js';
import { IntentReads } from './intent-reads.js';

/** The runtime: routes and intents (API.md "Intents and routes"). */
@Module({
  imports: [EvidenceModule],
  controllers: [RoutesController, IntentsController],
  providers: [IntentReads, CreateRouteHandler, ChangeRouteStatusHandler, CreateIntentHandler, ResolveIntentHandler, GetIntentHandler, ListIntentsHandler, ListRoutesHandler],
})
export class IntentsModule {}
