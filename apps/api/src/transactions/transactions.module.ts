import { Module } from '@nestjs/common';
import { PostTransactionHandler } from './post-transaction.handler.js';
import { ReverseTransactionHandler } from './reverse-transaction.command.js';
import { GetTransactionHandler } from './transaction.queries.js';
import { TransactionsController } from './transactions.controller.js';

@Module({
  controllers: [TransactionsController],
  providers: [PostTransactionHandler, ReverseTransactionHandler, GetTransactionHandler],
})
export class TransactionsModule {}
