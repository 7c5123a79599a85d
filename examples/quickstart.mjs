// The seed's integration through the SDK. With a ledger running (LEDGER_ADMIN_TOKEN=dev-admin npm start):
//   node examples/quickstart.mjs            (ZENTRA_URL, default http://localhost:3000; ZENTRA_ADMIN_TOKEN, default dev-admin)
// It creates a tenant, two accounts, funds one, holds and captures, pages the history, then runs
// the seed's intent through a route and settles it.
import { Zentra, ZentraError } from '@zentra/sdk';

const baseUrl = process.env.ZENTRA_URL ?? 'http://localhost:3000';
const platform = new Zentra({ apiKey: process.env.ZENTRA_ADMIN_TOKEN ?? 'dev-admin', baseUrl });
const tenant = await platform.tenants.create({ name: `quickstart-${Date.now()}` });
const zentra = new Zentra({ apiKey: tenant.api_key.key, baseUrl });

const treasury = await zentra.accounts.create({ customer: 'acme', currency: 'USD', account_type: 'operating', allow_negative: true });
const account = await zentra.accounts.create({ customer: 'customer_ref', currency: 'USD', account_type: 'operating', idempotency_key: `acct_live_${tenant.id}` });

await zentra.transactions.create({
  entries: [
    { account_id: treasury.id, direction: 'debit', amount: 125_000n },
    { account_id: account.id, direction: 'credit', amount: 125_000n },
  ],
  description: 'top-up',
  idempotency_key: `fund_${account.id}`,
});

const hold = await zentra.holds.create({ account_id: account.id, destination_account_id: treasury.id, amount: '300', reference: 'order-42' });
const { hold: captured } = await zentra.holds.capture(hold.id, { amount: '200' });
console.log('hold', captured.status, 'captured', captured.captured_amount, 'released', captured.released_amount);

try {
  await zentra.transactions.create({ entries: [{ account_id: account.id, direction: 'debit', amount: '999999' }, { account_id: treasury.id, direction: 'credit', amount: '999999' }] });
} catch (error) {
  if (!(error instanceof ZentraError)) throw error;
  console.log('refused:', error.status, error.code);
}

for await (const entry of zentra.accounts.entries(account.id, { limit: 2 })) {
  console.log(entry.direction, entry.amount, '-> posted', entry.balance_after.posted);
}
console.log('balances', (await zentra.accounts.retrieve(account.id)).balances);

// The runtime: a route for USD through us-ach, then the seed's intent, settled through it.
const settlement = await zentra.accounts.create({ customer: 'acme', currency: 'USD', account_type: 'settlement' });
const merchant = await zentra.accounts.create({ customer: 'merchant', currency: 'USD', account_type: 'customer' });
await zentra.routes.create({ name: 'ACH primary', currency: 'USD', corridor: 'us-ach', settlement_account_id: settlement.id });
const intent = await zentra.runtime.intents.create({
  intent_id: 'intent_042', scope: 'workspace_scope', money_model: 'minor_units + ledger_currency', primitives: ['policy', 'ledger', 'events'],
  amount: 100_000n, currency: 'USD', source_account_id: account.id, destination_account_id: merchant.id, corridor: 'us-ach',
});
console.log('intent', intent.id, intent.status, intent.states.map((s) => s.state).join(' -> '));
const settled = await zentra.runtime.intents.settle(intent.id);
console.log('intent', settled.status, 'transaction', settled.transaction_id);
