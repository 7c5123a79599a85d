import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { TestLedger } from './support/ledger.js';

/**
 * The OpenAPI document the service serves is the one committed at libs/sdk/openapi.json, the SDK's
 * types are what openapi-typescript makes of it, Redocly's recommended ruleset finds nothing in
 * it, and every operation is complete. After changing a route: UPDATE_OPENAPI=1 rewrites both
 * committed files (docs/openapi.md).
 */
const run = promisify(execFile);
const ROOT = process.cwd();
const COMMITTED_DOCUMENT = path.join(ROOT, 'libs/sdk/openapi.json');
const COMMITTED_TYPES = path.join(ROOT, 'libs/sdk/src/openapi-types.ts');
const UPDATE = process.env.UPDATE_OPENAPI === '1';
/** Generating the types and linting are separate Node processes: a cold start each. */
const TOOL_TIMEOUT_MS = 120_000;

type Operation = { operationId?: string; summary?: string; tags?: string[]; security?: unknown[]; responses: Record<string, { content?: Record<string, { schema?: unknown; example?: unknown }> }> };

describe('the OpenAPI document', () => {
  let t: TestLedger;
  let served: { paths: Record<string, Record<string, Operation>>; security?: unknown };
  let dir: string;

  beforeAll(async () => {
    t = await TestLedger.start();
    served = (await t.request('GET', '/docs-json')).body;
    dir = await mkdtemp(path.join(os.tmpdir(), 'zentra-openapi-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await t.stop();
  });

  it('is the committed libs/sdk/openapi.json', () => {
    const text = `${JSON.stringify(served, null, 2)}\n`;
    if (UPDATE) writeFileSync(COMMITTED_DOCUMENT, text);
    expect(readFileSync(COMMITTED_DOCUMENT, 'utf8')).toBe(text);
  });

  it("regenerates the SDK's committed types from it", async () => {
    const document = path.join(dir, 'openapi.json');
    await writeFile(document, JSON.stringify(served, null, 2));
    const generated = path.join(dir, 'openapi-types.ts');
    await run(process.execPath, [path.join(ROOT, 'node_modules/openapi-typescript/bin/cli.js'), document, '--default-non-nullable=false', '-o', generated], { timeout: TOOL_TIMEOUT_MS });
    const types = await readFile(generated, 'utf8');
    if (UPDATE) writeFileSync(COMMITTED_TYPES, types);
    expect(readFileSync(COMMITTED_TYPES, 'utf8')).toBe(types);
  }, TOOL_TIMEOUT_MS);

  it("passes Redocly's recommended ruleset with no error and no warning", async () => {
    const document = path.join(dir, 'lint.json');
    await writeFile(document, JSON.stringify(served));
    const { stdout, stderr } = await run(process.execPath, [path.join(ROOT, 'node_modules/@redocly/cli/bin/cli.js'), 'lint', document, '--format', 'json'], { timeout: TOOL_TIMEOUT_MS, env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } });
    const report = JSON.parse(stdout) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; message: string }[] };
    expect({ totals: report.totals, problems: report.problems.map((p) => `${p.ruleId}: ${p.message}`) }).toEqual({ totals: expect.objectContaining({ errors: 0, warnings: 0 }), problems: [] });
    expect(stderr).not.toContain('Failed');
  }, TOOL_TIMEOUT_MS);

  it('describes every operation whole: id, summary, tag, security, success schema with an example, the error envelope for each error', () => {
    const gaps: string[] = [];
    let operations = 0;
    for (const [route, methods] of Object.entries(served.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        operations++;
        const where = `${method.toUpperCase()} ${route}`;
        if (!operation.operationId || !operation.summary) gaps.push(`${where}: operationId and summary`);
        if (!operation.tags?.length) gaps.push(`${where}: a tag`);
        if (!Array.isArray(operation.security) && !served.security) gaps.push(`${where}: security (or [] when open)`);
        const statuses = Object.keys(operation.responses);
        const success = statuses.filter((s) => s.startsWith('2'));
        if (success.length === 0) gaps.push(`${where}: a 2xx response`);
        for (const status of success) {
          const media = Object.values(operation.responses[status].content ?? {});
          if (!media.some((m) => m.schema)) gaps.push(`${where} ${status}: a schema`);
        }
        if (!success.some((s) => Object.values(operation.responses[s].content ?? {}).some((m) => m.example !== undefined || (m.schema as { $ref?: string })?.$ref))) gaps.push(`${where}: an example`);
        const errors = statuses.filter((s) => /^[45]/.test(s) && !(route === '/health' && s === '503') && !(route === '/reconciliation/runs' && s === '202'));
        if (!errors.includes('401') && operation.security?.length !== 0) gaps.push(`${where}: 401`);
        for (const status of errors) {
          const schema = operation.responses[status].content?.['application/json']?.schema as { $ref?: string } | undefined;
          if (schema?.$ref !== '#/components/schemas/ErrorEnvelope') gaps.push(`${where} ${status}: the ErrorEnvelope`);
        }
      }
    }
    expect(gaps).toEqual([]);
    expect(operations).toBeGreaterThanOrEqual(54);
  });
});
