import playwright, { type Page } from 'playwright-core';
import { ADMIN, call, Service, startService, stopService } from './service.js';
import { table } from './support.js';

/**
 * How long each console page takes to show with a large tenant: the real service (`npm start`'s
 * process, its own embedded PostgreSQL) holding ACCOUNTS accounts, POSTINGS postings and HOLDS
 * stuck holds, driven by Debian's chromium. A page "shows" when its heading is there, nothing
 * says "Loading…" and its first row (or its empty state) is drawn: from the click on its
 * navigation link, so the figure is what a person waits. Each page is opened ROUNDS times; the
 * table gives the median and the slowest.
 */
const ACCOUNTS = 10_000;
const POSTINGS = 5_000;
const HOLDS = 200;
const ROUNDS = 5;
/** Concurrent account openings while seeding (the service's own limits are not what is measured). */
const SEED_CONCURRENCY = 50;
/** Postings per POST /transactions/batch while seeding. */
const SEED_BATCH = 1_000;
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOW_TIMEOUT_MS = 60_000;

const PAGES = ['Overview', 'Accounts', 'Transactions', 'Holds', 'Intents', 'Webhooks', 'Audit', 'Reconciliation', 'Policies'];

async function seed(service: Service): Promise<string> {
  const tenant = await call(service.url, ADMIN, 'POST', '/tenants', { name: 'console-bench' });
  const key: string = tenant.api_key.key;
  const funding = await call(service.url, key, 'POST', '/accounts', { customer: 'treasury', currency: 'USD', account_type: 'operating', allow_negative: true });
  const accounts: string[] = [];
  for (let i = 0; i < ACCOUNTS; i += SEED_CONCURRENCY) {
    const opened = await Promise.all(
      Array.from({ length: Math.min(SEED_CONCURRENCY, ACCOUNTS - i) }, (_, j) =>
        call(service.url, key, 'POST', '/accounts', { customer: `customer-${String(i + j).padStart(5, '0')}`, currency: 'USD', account_type: 'customer', metadata: { segment: (i + j) % 2 ? 'retail' : 'business' } }),
      ),
    );
    accounts.push(...opened.map((a) => a.id));
  }
  for (let i = 0; i < POSTINGS; i += SEED_BATCH) {
    const transactions = Array.from({ length: Math.min(SEED_BATCH, POSTINGS - i) }, (_, j) => ({
      idempotency_key: `seed-${i + j}`,
      reference: `payout-${i + j}`,
      entries: [
        { account_id: funding.id, direction: 'debit', amount: String(10_000 + ((i + j) % 977) * 100) },
        { account_id: accounts[(i + j) % ACCOUNTS], direction: 'credit', amount: String(10_000 + ((i + j) % 977) * 100) },
      ],
    }));
    await call(service.url, key, 'POST', '/transactions/batch', { transactions });
  }
  for (let i = 0; i < HOLDS; i++) {
    await call(service.url, key, 'POST', '/holds', { account_id: accounts[i], destination_account_id: funding.id, amount: '500', reference: `order-${i}` });
  }
  return key;
}

/** Waits until the page shows: a heading, no "Loading…", and a first row or an empty state. */
async function shown(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const doc = (globalThis as unknown as { document: { querySelector: (s: string) => unknown; body: { textContent: string } } }).document;
      return doc.querySelector('h1') !== null && !doc.body.textContent.includes('Loading…') && doc.querySelector('tbody tr, .empty, [data-testid=balances] canvas, .notice') !== null;
    },
    undefined,
    { timeout: SHOW_TIMEOUT_MS, polling: 'raf' },
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const service = await startService({ LEDGER_STUCK_HOLD_SECONDS: '0' });
  const browser = await playwright.chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
  try {
    const seedStarted = Date.now();
    const key = await seed(service);
    console.log(`seeded ${ACCOUNTS} accounts, ${POSTINGS} postings, ${HOLDS} stuck holds in ${Date.now() - seedStarted} ms`);
    const timings = new Map<string, number[]>([['Sign in → Overview', []], ...PAGES.map((p) => [p, []] as [string, number[]]), ['Account (from the list)', []]]);
    for (let round = 0; round < ROUNDS; round++) {
      // A new tab each round: nothing cached, no key in its session storage.
      const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
      const page = await context.newPage();
      await page.goto(`${service.url}/console`);
      await page.getByLabel('API key').fill(key);
      let started = Date.now();
      await page.getByRole('button', { name: 'Sign in' }).click();
      await shown(page);
      timings.get('Sign in → Overview')!.push(Date.now() - started);
      for (const name of PAGES) {
        started = Date.now();
        await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name, exact: true }).click();
        await page.getByRole('heading', { level: 1, name }).waitFor({ timeout: SHOW_TIMEOUT_MS });
        await shown(page);
        timings.get(name)!.push(Date.now() - started);
        if (name === 'Accounts') {
          started = Date.now();
          await page.locator('tbody tr a').nth(round).click();
          await page.getByTestId('balances').waitFor({ timeout: SHOW_TIMEOUT_MS });
          await shown(page);
          timings.get('Account (from the list)')!.push(Date.now() - started);
          await page.goBack();
          await shown(page);
        }
      }
      await context.close();
    }
    console.log(table([...timings].map(([page, ms]) => ({ page, 'median ms': median(ms), 'slowest ms': Math.max(...ms), rounds: ms.length }))));
  } finally {
    await browser.close();
    await stopService(service);
  }
}

await main();
