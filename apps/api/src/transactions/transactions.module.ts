import { Module } from '@nestjs/common';
import { PostTransactionHandler } from './post-transaction.handler.js';
import { ReverseTransactionHandler } from './reverse-transaction.command.js';
import { TransactionBatches } from './transaction-batches.js';
import { GetTransactionHandler, ListTransactionsHandler } from './transaction.queries.js';
import { TransactionsController } from './transactions.controller.js';

@Module({
  controllers: [TransactionsController],
  providers: [TransactionBatches, PostTransactionHandler, ReverseTransactionHandler, GetTransactionHandler, ListTransactionsHandler],
})
export class TransactionsModule {}
