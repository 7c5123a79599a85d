import { Module } from '@nestjs/common';
import { PostTransactionHandler } from './post-transaction.handler.js';
import { GetTransactionHandler } from './transaction.queries.js';
import { TransactionsController } from './transactions.controller.js';

@Module({
  controllers: [TransactionsController],
  providers: [PostTransactionHandler, GetTransactionHandler],
})
export class TransactionsModule {}
