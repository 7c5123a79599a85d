import { appendFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

/**
 * Every response an end-to-end test receives through TestLedger.request is checked against the
 * OpenAPI document the service serves (/docs-json): the operation its method and path name, the
 * status it answered, and that status's schema. An undocumented status, an undocumented route or
 * a body off its schema throws, which fails the test that made the request.
 */

// ajv-formats is CommonJS: its default export arrives as the module object under Node's ESM loader.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  /** Path parameters in the template: a literal segment wins over a parameter (`/replay` before `/{id}`). */
  params: number;
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

export interface CheckedResponse {
  method: string;
  path: string;
  status: number;
  /** Parsed JSON, or the text when the body is not JSON. */
  body: unknown;
  contentType: string | null;
}

/** How many responses were checked per `METHOD /template status`, for the report (OPENAPI_CHECK_LOG). */
/** The id the served document's components are known by to the validator. */
const DOCUMENT_ID = 'https://zentra.invalid/openapi.json';

export const CHECKED = new Map<string, number>();
let unmatched = 0;

export class OpenApiCheck {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly operations: Operation[] = [];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(document: { paths: Record<string, Record<string, Operation['responses'] | unknown>>; components?: unknown }) {
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: DOCUMENT_ID, components: document.components });
    for (const [template, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        const params = (template.match(/\{[^}]+\}/g) ?? []).length;
        const pattern = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`);
        this.operations.push({ method: method.toUpperCase(), template, pattern, params, responses: (operation as { responses: Operation['responses'] }).responses });
      }
    }
    this.operations.sort((a, b) => a.params - b.params);
  }

  /** Throws when the response is not what the document says this operation answers with this status. */
  check(response: CheckedResponse): void {
    const path = response.path.split('?')[0];
    if (path.startsWith('/docs')) return;
    const operation = this.operations.find((o) => o.method === response.method && o.pattern.test(path));
    if (!operation) {
      // A path no route serves (Fastify's 404, the edge's 400 for a malformed path) still answers
      // the error envelope; a success from a route the document lacks is a gap in the document.
      if (response.status >= 400 && response.status < 500) {
        const envelope = this.ajv.getSchema(`${DOCUMENT_ID}#/components/schemas/ErrorEnvelope`)!;
        if (!envelope(response.body)) throw new Error(`OpenAPI: ${response.method} ${path} answered ${response.status} without the error envelope: ${JSON.stringify(response.body).slice(0, 500)}`);
        return void unmatched++;
      }
      throw new Error(`OpenAPI: ${response.method} ${path} answered ${response.status} but the document has no such operation (docs/openapi.md)`);
    }
    const described = operation.responses[String(response.status)];
    const where = `${response.method} ${operation.template} ${response.status}`;
    if (!described) {
      throw new Error(`OpenAPI: ${where} is not a documented response of the operation (answered ${JSON.stringify(response.body).slice(0, 500)})`);
    }
    const media = described.content ?? {};
    const mediaType = Object.keys(media).find((type) => (response.contentType ?? '').startsWith(type)) ?? (Object.keys(media).length === 0 ? undefined : Object.keys(media)[0]);
    if (mediaType !== undefined && media[mediaType]?.schema) {
      const validate = this.validator(operation, response.status, mediaType);
      if (!validate(response.body)) {
        throw new Error(`OpenAPI: ${where} body does not match its schema: ${this.ajv.errorsText(validate.errors)}; body ${JSON.stringify(response.body).slice(0, 1000)}`);
      }
    }
    CHECKED.set(where, (CHECKED.get(where) ?? 0) + 1);
  }

  private validator(operation: Operation, status: number, mediaType: string): ValidateFunction {
    const pointer = ['paths', operation.template, operation.method.toLowerCase(), 'responses', String(status), 'content', mediaType, 'schema'];
    const key = pointer.join(' ');
    let validate = this.validators.get(key);
    if (!validate) {
      const schema = (this.operations.find((o) => o === operation)!.responses[String(status)].content as Record<string, { schema: unknown }>)[mediaType].schema;
      // Refs inside point at #/components/schemas/..., resolved against the document's components.
      validate = this.ajv.compile(rewriteRefs(schema));
      this.validators.set(key, validate);
    }
    return validate;
  }
}

function rewriteRefs(value: unknown): any {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `${DOCUMENT_ID}${v}` : rewriteRefs(v)]));
}

/** With OPENAPI_CHECK_LOG=<file>, each test file appends what it checked (one JSON line). */
export function reportChecked(file = process.env.OPENAPI_CHECK_LOG): void {
  if (!file) return;
  appendFileSync(file, `${JSON.stringify({ checked: Object.fromEntries(CHECKED), unmatched })}\n`);
  CHECKED.clear();
  unmatched = 0;
}
