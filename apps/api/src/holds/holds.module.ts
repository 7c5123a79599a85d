import { Module } from '@nestjs/common';
import { CaptureHoldHandler, PlaceHoldHandler, ReleaseHoldHandler } from './holds.commands.js';
import { HoldsController } from './holds.controller.js';
import { GetHoldHandler, ListHoldsHandler } from './holds.queries.js';

@Module({
  controllers: [HoldsController],
  providers: [PlaceHoldHandler, CaptureHoldHandler, ReleaseHoldHandler, GetHoldHandler, ListHoldsHandler],
})
export class HoldsModule {}
