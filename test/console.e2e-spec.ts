// The operator console in a real browser (Debian's chromium driven by playwright-core) against a
// real service: the flows an operator runs, each page's screenshot, and an accessibility check.
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import playwright, { type Browser, type Page } from 'playwright-core';
import { TestLedger } from './support/ledger.js';
import { waitFor } from './support/wait.js';

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Screenshots of every page go here (gitignored); CI keeps them as the run's artifacts. */
const ARTIFACTS_DIR = path.resolve('test-artifacts/console');
const VIEWPORT = { width: 1280, height: 860 };
/** A page's content must show within this (generous for a loaded CI machine; speed lives in bench/). */
const SHOW_TIMEOUT_MS = 15_000;
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const ENV = {
  // Every pending hold is stuck at once: the stuck view has something to show.
  LEDGER_STUCK_HOLD_SECONDS: '0',
  LEDGER_WEBHOOK_ALLOW_PRIVATE: 'true', // the receiver listens on 127.0.0.1
  LEDGER_WEBHOOK_TIMEOUT_MS: '300',
  LEDGER_WEBHOOK_BACKOFF_MS: '50',
  LEDGER_WEBHOOK_MAX_ATTEMPTS: '1',
  LEDGER_WEBHOOK_POLL_MS: '25',
};

let t: TestLedger;
let browser: Browser;
let receiver: Server;
let receiverStatus = 500;
let admin: string;
let operator: string;
let auditor: string;
let accounts: { id: string; customer: string }[];
let funding: { id: string };
let settlementId: string;

beforeAll(async () => {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  t = await TestLedger.start(ENV);
  browser = await playwright.chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
  receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(receiverStatus).end());
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const tenant = await t.fundedTenant(3, '100000');
  admin = tenant.key;
  accounts = tenant.accounts;
  funding = tenant.funding;
  operator = await t.createKey(admin, 'operator');
  auditor = await t.createKey(admin, 'auditor');
  settlementId = (await t.openAccount(admin, { customer: 'ach-settlement', account_type: 'settlement', allow_negative: true })).id;
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  expect((await t.request('POST', '/webhook-endpoints', { token: admin, body: { url, events: ['balance.hold.created'] } })).status).toBe(201);
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => receiver?.close(resolve));
  await t?.stop();
});

/** A fresh tab signed in with `key`, the way a person does it. */
async function signedIn(key: string): Promise<Page> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  const cspViolations: string[] = [];
  page.on('console', (message) => {
    if (/Content.Security.Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  (page as Page & { cspViolations: string[] }).cspViolations = cspViolations;
  await page.goto(`${t.url}/console`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Console' }).waitFor({ timeout: SHOW_TIMEOUT_MS });
  return page;
}

async function open(page: Page, link: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: link, exact: true }).click();
  await page.getByRole('heading', { level: 1 }).first().waitFor({ timeout: SHOW_TIMEOUT_MS });
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS_DIR, `${name}.png`), fullPage: true });
}

/** axe-core's serious and critical findings on the page as it is now (evaluated outside the page's CSP). */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const found = await page.evaluate(async () => {
    const browserGlobals = globalThis as unknown as { axe: { run: (ctx: unknown) => Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[] }> }; document: unknown };
    const result = await browserGlobals.axe.run(browserGlobals.document);
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
  });
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}, ${v.nodes} nodes)`);
}

describe('the operator console', () => {
  it('is served at /console with a strict Content-Security-Policy, its pages and assets from the same origin', async () => {
    const res = await fetch(`${t.url}/console`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    const html = await res.text();
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${t.url}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    // A page of the app's own is the app; a missing asset is a 404 envelope, not the page.
    expect((await fetch(`${t.url}/console/accounts/whatever`)).headers.get('content-type')).toMatch(/^text\/html/);
    const missing = await fetch(`${t.url}/console/assets/nope.js`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });

  it('is not served at all with LEDGER_CONSOLE=off', async () => {
    const sibling = await t.startSibling({ ...ENV, LEDGER_CONSOLE: 'off' });
    try {
      const res = await fetch(`${sibling.url}/console`);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    } finally {
      await sibling.stop();
    }
  });

  it('GET /api-keys/me tells any role which key it is, so the console offers only what it may do', async () => {
    for (const [key, role] of [[admin, 'admin'], [operator, 'operator'], [auditor, 'auditor']] as const) {
      const me = await t.request('GET', '/api-keys/me', { token: key });
      expect(me.status).toBe(200);
      expect(me.body).toEqual({ id: expect.any(String), role, tenant_id: expect.any(String) });
    }
    expect((await t.request('GET', '/api-keys/me', { token: 'zl_not_a_key' })).status).toBe(401);
  });

  it('signs in with an API key kept in session storage only, and refuses a bad key', async () => {
    const context = await browser.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    await page.goto(`${t.url}/console`);
    await shoot(page, '00-sign-in');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel('API key').fill('zl_not_a_key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.getByRole('alert').textContent()).toContain('unauthenticated');
    await page.getByLabel('API key').fill(admin);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const nav = page.getByRole('navigation', { name: 'Console' });
    for (const link of ['Accounts', 'Transactions', 'Holds', 'Intents', 'Webhooks', 'Audit', 'Reconciliation', 'Policies']) {
      await nav.getByRole('link', { name: link, exact: true }).waitFor({ timeout: SHOW_TIMEOUT_MS });
    }
    expect(await page.evaluate(() => Object.values((globalThis as unknown as { sessionStorage: object }).sessionStorage))).toEqual([admin]);
    expect(await page.evaluate(() => Object.values((globalThis as unknown as { localStorage: object }).localStorage))).toEqual([]);
    expect(page.url()).not.toContain(admin);
    expect(await page.getByTestId('role').textContent()).toBe('admin');
    // A reload keeps the tab signed in (same session storage).
    await page.reload();
    await nav.waitFor({ timeout: SHOW_TIMEOUT_MS });
    await context.close();
  });

  it('tells a tab whose key was revoked meanwhile to sign in again, and forgets the key', async () => {
    const doomed = await t.createKey(admin, 'operator');
    const page = await signedIn(doomed);
    const id = (await t.request('GET', '/api-keys/me', { token: doomed })).body.id;
    expect((await t.request('POST', `/api-keys/${id}/revoke`, { token: admin })).status).toBe(200);
    // Revocation reaches every process within 2 s (the API contract): move between pages until it shows.
    let flip = false;
    await waitFor(
      'the revoked key to be refused',
      async () => {
        flip = !flip;
        await open(page, flip ? 'Transactions' : 'Holds');
        return (await page.getByText('This API key is no longer accepted').count()) > 0;
      },
      SHOW_TIMEOUT_MS,
    );
    await page.getByRole('button', { name: 'Sign in again' }).click();
    await page.getByLabel('API key').waitFor({ timeout: SHOW_TIMEOUT_MS });
    expect(await page.evaluate(() => Object.values((globalThis as unknown as { sessionStorage: object }).sessionStorage))).toEqual([]);
    await page.context().close();
  });

  it('lists accounts at or under a path prefix, whole segments only (GET /accounts?path_prefix=, the console\'s path search)', async () => {
    const fees = await t.openAccount(admin, { customer: 'acme', path: 'merchants:acme:fees' });
    const acme = await t.openAccount(admin, { customer: 'acme', path: 'merchants:acme' });
    await t.openAccount(admin, { customer: 'acmex', path: 'merchants:acmex' });
    await t.openAccount(admin, { customer: 'other', path: 'merchants:a_me' });
    const ids = async (prefix: string) => (await t.request('GET', `/accounts?path_prefix=${prefix}`, { token: admin })).body.data.map((a: { id: string }) => a.id);
    expect(await ids('merchants:acme')).toEqual([fees.id, acme.id]);
    expect(await ids('merchants:acme:fees')).toEqual([fees.id]);
    expect(await ids('merchants:a_me:x')).toEqual([]);
    expect((await t.request('GET', '/accounts?path_prefix=Merchants!', { token: admin })).status).toBe(400);
    const page = await signedIn(operator);
    await open(page, 'Accounts');
    await page.getByLabel('Path').fill('merchants:acme');
    await page.getByRole('button', { name: 'Search' }).click();
    await waitFor('the path search to narrow the list', async () => (await page.getByRole('row').count()) === 3, SHOW_TIMEOUT_MS);
    expect(await page.locator('tbody tr td:nth-child(2)').allTextContents()).toEqual(['merchants:acme:fees', 'merchants:acme']);
    await page.context().close();
  });

  it('finds an account by customer and shows its balances, chart and entries', async () => {
    const [first] = accounts;
    expect((await t.transfer(admin, first!.id, funding.id, '2550')).status).toBe(201);
    const page = await signedIn(admin);
    await open(page, 'Accounts');
    await page.getByRole('row').nth(1).waitFor({ timeout: SHOW_TIMEOUT_MS });
    await shoot(page, '02-accounts');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel('Customer').fill(first!.customer);
    await page.getByRole('button', { name: 'Search' }).click();
    await waitFor('the search to narrow the list', async () => (await page.getByRole('row').count()) === 2, SHOW_TIMEOUT_MS);
    await page.getByRole('link', { name: first!.customer }).click();
    const available = page.getByTestId('balance-available');
    await available.waitFor({ timeout: SHOW_TIMEOUT_MS });
    // 100000 funded, 2550 sent back: 974.50 USD.
    expect(await available.textContent()).toBe('974.50 USD');
    const chart = page.getByRole('img', { name: /Balance history/ });
    await chart.waitFor({ timeout: SHOW_TIMEOUT_MS });
    expect(await chart.getAttribute('aria-label')).toBe('Balance history: 2 entries, last posted balance 974.50 USD');
    await page.getByRole('cell', { name: '974.50 USD' }).first().waitFor({ timeout: SHOW_TIMEOUT_MS });
    await shoot(page, '03-account');
    expect(await seriousViolations(page)).toEqual([]);
    expect((page as Page & { cspViolations: string[] }).cspViolations).toEqual([]);
    const accountUrl = page.url();
    await page.context().close();

    // Freeze and unfreeze are offered to the roles that may (admin here), not to an auditor.
    const auditorPage = await signedIn(auditor);
    await auditorPage.goto(accountUrl);
    await auditorPage.getByTestId('balance-available').waitFor({ timeout: SHOW_TIMEOUT_MS });
    expect(await auditorPage.getByRole('button', { name: /freeze/i }).count()).toBe(0);
    await auditorPage.context().close();
    const adminPage = await signedIn(admin);
    await adminPage.goto(accountUrl);
    await adminPage.getByRole('button', { name: 'Freeze', exact: true }).click();
    await adminPage.getByRole('button', { name: 'Unfreeze', exact: true }).waitFor({ timeout: SHOW_TIMEOUT_MS });
    expect((await t.request('GET', `/accounts/${first!.id}`, { token: admin })).body.status).toBe('frozen');
    await adminPage.getByRole('button', { name: 'Unfreeze', exact: true }).click();
    await adminPage.getByRole('button', { name: 'Freeze', exact: true }).waitFor({ timeout: SHOW_TIMEOUT_MS });
    expect((await t.request('GET', `/accounts/${first!.id}`, { token: admin })).body.status).toBe('active');
    await adminPage.context().close();
  });

  it('shows a stuck hold highlighted and releases it with a note; an auditor is offered no release', async () => {
    const placed = await t.placeHold(admin, { account_id: accounts[1]!.id, destination_account_id: accounts[2]!.id, amount: '1250', reference: 'order-7731' });
    expect(placed.status).toBe(201);

    const auditorPage = await signedIn(auditor);
    await open(auditorPage, 'Holds');
    const auditorRow = auditorPage.locator(`tr[data-hold-id="${placed.body.id}"]`);
    await auditorRow.waitFor({ timeout: SHOW_TIMEOUT_MS });
    expect(await auditorRow.getByRole('button').count()).toBe(0);
    await auditorPage.context().close();
    // Not offered, and refused all the same when asked directly: a denied action in the audit log.
    expect((await t.request('POST', `/holds/${placed.body.id}/release`, { token: auditor, body: {} })).status).toBe(403);

    const page = await signedIn(operator);
    await open(page, 'Holds');
    const row = page.locator(`tr[data-hold-id="${placed.body.id}"]`);
    await row.waitFor({ timeout: SHOW_TIMEOUT_MS });
    expect(await row.getAttribute('class')).toBe('stuck');
    expect(await row.textContent()).toContain('order-7731');
    expect(await row.textContent()).toContain('12.50 USD');
    // An operator may release but not capture.
    expect(await row.getByRole('button', { name: 'Capture' }).count()).toBe(0);
    await shoot(page, '04-holds');
    expect(await seriousViolations(page)).toEqual([]);
    await row.getByRole('button', { name: 'Release' }).click();
    await row.getByLabel('Release note').fill('customer called: order canceled');
    await row.getByRole('button', { name: 'Confirm release' }).click();
    await row.getByText('released', { exact: true }).waitFor({ timeout: SHOW_TIMEOUT_MS });
    expect(await row.getAttribute('class')).toBeNull();
    const hold = await t.request('GET', `/holds/${placed.body.id}`, { token: admin });
    expect(hold.body.status).toBe('released');
    await page.context().close();
  });

  it('shows a failed delivery with its attempt and replays it', async () => {
    const failed = await waitFor(
      'a failed delivery',
      async () => (await t.request('GET', '/webhook-deliveries?status=failed', { token: admin })).body.data[0],
      SHOW_TIMEOUT_MS,
    );
    const page = await signedIn(operator);
    await open(page, 'Webhooks');
    const row = page.locator(`tr[data-delivery-id="${failed.id}"]`);
    await row.waitFor({ timeout: SHOW_TIMEOUT_MS });
    expect(await row.textContent()).toContain('500');
    await shoot(page, '05-webhooks');
    expect(await seriousViolations(page)).toEqual([]);
    receiverStatus = 204;
    await row.getByRole('button', { name: 'Replay' }).click();
    await row.getByText('replay queued').waitFor({ timeout: SHOW_TIMEOUT_MS });
    await waitFor('the replayed delivery to arrive', async () => (await t.request('GET', `/webhook-deliveries/${failed.id}`, { token: admin })).body.status === 'delivered', SHOW_TIMEOUT_MS);
    await page.context().close();
  });

  it('traces one intent end to end: the call, the response, the events, the webhooks, the ledger and the evidence', async () => {
    expect((await t.request('POST', '/routes', { token: admin, body: { name: 'ACH primary', currency: 'USD', corridor: 'us-ach', settlement_account_id: settlementId } })).status).toBe(201);
    const body = {
      intent_id: 'intent_console_1', scope: 'workspace_scope', money_model: 'minor_units + ledger_currency', primitives: ['policy', 'ledger', 'events'],
      amount: '4200', currency: 'USD', source_account_id: accounts[0]!.id, destination_account_id: accounts[2]!.id, corridor: 'us-ach',
    };
    expect((await t.request('POST', '/intents', { token: admin, body })).status).toBe(201);
    const page = await signedIn(admin);
    await open(page, 'Intents');
    await page.getByRole('link', { name: 'intent_console_1' }).click();
    await page.getByRole('button', { name: 'Settle' }).click();
    await page.getByText('settled', { exact: true }).first().waitFor({ timeout: SHOW_TIMEOUT_MS });
    await shoot(page, '06-intent');
    await page.getByRole('link', { name: 'Trace this intent end to end' }).click();
    await page.getByRole('heading', { name: '1. The call' }).waitFor({ timeout: SHOW_TIMEOUT_MS });
    const trace = page.locator('.trace');
    await trace.getByText('intent.settled').waitFor({ timeout: SHOW_TIMEOUT_MS });
    expect(await trace.textContent()).toContain('POST /intents');
    expect(await trace.textContent()).toContain('"intent_id": "intent_console_1"');
    await trace.getByRole('heading', { name: '4. Ledger consequence' }).waitFor();
    expect(await trace.getByRole('link').filter({ hasText: '42.00 USD' }).count()).toBeGreaterThan(0);
    // What moved is 42.00: the settlement account only passes it through (its four entries debit 84.00).
    expect((await trace.locator('.flow-arrow').textContent())?.replace(/\s+/g, ' ')).toContain('42.00 USD');
    expect(await trace.locator('.flow-arrow').textContent()).not.toContain('84.00');
    await trace.getByText('verified', { exact: true }).waitFor({ timeout: SHOW_TIMEOUT_MS });
    await shoot(page, '07-trace');
    expect(await seriousViolations(page)).toEqual([]);

    // A refused intent: the timeline shows where it stopped and why.
    const refused = await t.request('POST', '/intents', { token: admin, body: { ...body, intent_id: 'intent_console_2', corridor: 'nowhere' } });
    expect(refused.status).toBe(422);
    await page.goto(`${t.url}/console/intents/intent_console_2`);
    const timeline = page.getByRole('list', { name: 'Intent states' });
    await timeline.waitFor({ timeout: SHOW_TIMEOUT_MS });
    expect(await timeline.locator('li.refused').textContent()).toContain('refused no_route');
    expect(await timeline.locator('li.done .step-name').allTextContents()).toEqual(['accepted', 'controlled', 'ledgered']);
    expect(await page.getByRole('button', { name: 'Settle' }).count()).toBe(0);
    await page.context().close();
  });

  it('shows every other page with no serious accessibility violation', async () => {
    const page = await signedIn(admin);
    const pages: [string, string][] = [
      ['Overview', '01-overview'],
      ['Transactions', '08-transactions'],
      ['Audit', '09-audit'],
      ['Reconciliation', '10-reconciliation'],
      ['Policies', '11-policies'],
      ['Request trace', '12-trace-pick'],
    ];
    for (const [link, name] of pages) {
      await open(page, link);
      await page.waitForFunction(() => !(globalThis as unknown as { document: { body: { textContent: string } } }).document.body.textContent.includes('Loading…'), undefined, { timeout: SHOW_TIMEOUT_MS });
      // The chain head's signature is checked in the browser (Web Crypto Ed25519), not taken on trust.
      if (link === 'Overview') await page.getByTestId('chain-head-check').getByText('signature verified').waitFor({ timeout: SHOW_TIMEOUT_MS });
      if (link === 'Request trace') {
        // Nothing picked yet: the newest intents and transactions, each one click from its trace.
        await page.getByRole('link', { name: 'intent_console_1' }).waitFor({ timeout: SHOW_TIMEOUT_MS });
      }
      if (link === 'Reconciliation') {
        await page.getByRole('button', { name: 'Run drift check' }).click();
        await page.locator('tbody tr').filter({ hasText: /balanced|running/ }).first().waitFor({ timeout: SHOW_TIMEOUT_MS });
        const today = new Date().toISOString().slice(0, 10);
        const content = `external_id,amount,currency,direction,date,reference\nbank-1,100000,USD,credit,${today},\nbank-2,777,USD,credit,${today},\n`;
        const imported = await t.request('POST', '/reconciliation/statements', { token: admin, body: { account_id: accounts[1]!.id, format: 'csv', content } });
        expect(imported.status).toBe(201);
        const lines = (await t.request('GET', `/reconciliation/statements/${imported.body.id}`, { token: admin })).body.lines.map((l: { status: string }) => l.status);
        await page.getByLabel('Statement id').fill(imported.body.id);
        await page.getByRole('button', { name: 'Open', exact: true }).click();
        await page.getByRole('cell', { name: 'bank-2' }).waitFor({ timeout: SHOW_TIMEOUT_MS });
        const statementRows = page.locator('.card').filter({ hasText: 'Statement id' }).locator('tbody tr');
        expect(await statementRows.locator('td:nth-child(3) .badge').allTextContents()).toEqual(lines);
      }
      if (link === 'Audit') {
        await page.getByLabel('Denied actions only').check();
        // The unfiltered page (with the operator's allowed release) is replaced by the denied ones only.
        await waitFor(
          'only denied actions listed',
          async () => {
            const outcomes = await page.locator('tbody tr td:last-child .badge').allTextContents();
            return outcomes.length > 0 && outcomes.every((o) => o === 'denied');
          },
          SHOW_TIMEOUT_MS,
        );
        await page.getByRole('cell', { name: 'release_hold' }).first().waitFor({ timeout: SHOW_TIMEOUT_MS });
      }
      if (link === 'Policies') {
        await page.getByLabel('Policy name').fill('big payouts');
        await page.getByLabel('Largest amount (minor units)').fill('500000');
        await page.getByLabel('Mode').selectOption('observe');
        await page.getByRole('button', { name: 'Create amount limit' }).click();
        await page.getByRole('cell', { name: 'big payouts' }).waitFor({ timeout: SHOW_TIMEOUT_MS });
        const policies = await t.request('GET', '/policies', { token: admin });
        expect(policies.body.data.map((p: { name: string; mode: string; params: object }) => [p.name, p.mode, p.params])).toEqual([['big payouts', 'observe', { currency: 'USD', max_amount: '500000' }]]);
      }
      await shoot(page, name);
      expect({ link, violations: await seriousViolations(page) }).toEqual({ link, violations: [] });
    }
    expect((page as Page & { cspViolations: string[] }).cspViolations).toEqual([]);
    await page.context().close();
  });
});
