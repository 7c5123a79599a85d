import { Module } from '@nestjs/common';
import { ReconciliationController } from './reconciliation.controller.js';
import { StatementImporter } from './statement-importer.js';

@Module({
  controllers: [ReconciliationController],
  providers: [StatementImporter],
})
export class ReconciliationModule {}
