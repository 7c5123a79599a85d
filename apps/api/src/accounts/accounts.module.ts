import { Module } from '@nestjs/common';
import { AccountBalancesHandler } from './account-balances.query.js';
import { AccountEntriesHandler } from './account-entries.query.js';
import { GetAccountHandler, ListAccountsHandler } from './account.queries.js';
import { AccountsController } from './accounts.controller.js';
import { PathBalancesController } from './path-balances.controller.js';
import { ChangeAccountStatusHandler } from './change-account-status.handler.js';
import { OpenAccountHandler } from './open-account.handler.js';

@Module({
  controllers: [AccountsController, PathBalancesController],
  providers: [AccountBalancesHandler, OpenAccountHandler, ChangeAccountStatusHandler, GetAccountHandler, ListAccountsHandler, AccountEntriesHandler],
})
export class AccountsModule {}
