// docs/openapi.json against the code: every route documented (and nothing else), every $ref resolved,
// auth declared, and the enums (Decision, error codes, run reasons) equal to what the code has.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS, AUDIT_OUTCOMES } from '../src/audit/audit-log.js';
import { DECISION_ORDER } from '../src/domain/types.js';
import { ERROR_CATALOGUE } from '../src/errors.js';
import { Authenticator } from '../src/http/auth.js';
import { consoleRoutes } from '../src/http/routes/console.js';
import { exchangeReviewRoutes, type ReviewRouteDeps } from '../src/http/routes/exchange-review.js';
import { certificateRoutes } from '../src/http/routes/certificates.js';
import { domesticRoutes } from '../src/http/routes/domestic.js';
import { outboundRoutes } from '../src/http/routes/outbound.js';
import { outboundExchangeRoutes } from '../src/http/routes/outbound-exchange.js';
import { sandboxOutboundRoutes } from '../src/http/routes/sandbox-outbound.js';
import { exchangeRoutes, type ExchangeRouteDeps } from '../src/http/routes/exchanges.js';
import { healthRoutes } from '../src/http/routes/health.js';
import { metricsRoutes } from '../src/http/routes/metrics.js';
import { openApiRoutes } from '../src/http/routes/openapi.js';
import { operatorRoutes, type OperatorRouteDeps } from '../src/http/routes/operators.js';
import { partnerRoutes, type PartnerRouteDeps } from '../src/http/routes/partners.js';
import { recognitionRoutes } from '../src/http/routes/recognition.js';
import { registryRoutes, type RegistryRouteDeps } from '../src/http/routes/registry.js';
import { sandboxRoutes } from '../src/http/routes/sandbox.js';
import { whoamiRoutes } from '../src/http/routes/whoami.js';
import { auditRoutes } from '../src/http/routes/audit.js';
import type { Db } from '../src/store/db.js';
import type { LookupService } from '../src/lookup/service.js';
import type { GatewayMetrics } from '../src/metrics/gateway-metrics.js';
import type { SandboxSimulator } from '../src/sandbox/simulator.js';
import { SECTION_7 } from './support/sandbox-table.js';

const Ajv2020 = Ajv2020Module as unknown as typeof Ajv2020Module.default;
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

const file = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));

interface SchemaObject {
  $ref?: string;
  enum?: unknown[];
  required?: string[];
  properties?: Record<string, SchemaObject>;
  allOf?: SchemaObject[];
  [key: string]: unknown;
}
interface MediaType {
  schema?: SchemaObject;
  examples?: Record<string, { value?: unknown; $ref?: string }>;
}
interface Parameter {
  $ref?: string;
  name?: string;
  in?: string;
  required?: boolean;
}
interface Response {
  $ref?: string;
  description?: string;
  content?: Record<string, MediaType>;
}
interface Operation {
  operationId?: string;
  security?: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, MediaType> };
  responses?: Record<string, Response>;
}
interface OpenApiDocument {
  openapi: string;
  security?: unknown;
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, SchemaObject>;
    securitySchemes: Record<string, { type: string; scheme?: string; description?: string }>;
    parameters?: Record<string, Parameter>;
    responses?: Record<string, Response>;
  };
}

const doc = JSON.parse(readFileSync(file('../docs/openapi.json'), 'utf8')) as OpenApiDocument;

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** Every route the gateway serves, as `METHOD /path` with OpenAPI path templates. */
const EXPECTED_OPERATIONS = [
  'GET /healthz',
  'GET /admin/exchanges/{id}/diff',
  'GET /admin/exchanges/{id}/payload',
  'GET /admin/operators/{code}/history',
  'GET /readyz',
  'GET /openapi.json',
  'GET /v1/agreements',
  'GET /v1/agreements/{id}',
  'GET /v1/economies/{code}',
  'PUT /admin/agreements/{id}',
  'GET /admin/agreements/{id}/revisions',
  'GET /v1/recognition/{code}',
  'POST /v1/recognition/batch',
  'GET /v1/partners',
  'GET /v1/exchanges',
  'GET /v1/exchanges/{id}',
  'POST /exchange/v1/inbound/{partner}',
  'POST /admin/partners/{partner}/sync',
  'POST /admin/partners/{partner}/versions',
  'GET /admin/partners/{partner}/versions',
  'GET /admin/partners/{partner}/versions/{version}',
  'POST /admin/partners/{partner}/versions/{version}/dry-run',
  'POST /admin/partners/{partner}/versions/{version}/activate',
  'POST /admin/exchanges/{id}/approve',
  'POST /admin/exchanges/{id}/reject',
  'GET /admin/whoami',
  'GET /admin/audit',
  'GET /sandbox/{partner}/aeo-list',
  'POST /sandbox/{partner}/advance',
  'GET /metrics',
  'GET /admin/certificates',
  'POST /admin/domestic/imports',
  'GET /admin/domestic/imports/{id}',
  'POST /admin/domestic/imports/{id}/approve',
  'POST /admin/domestic/imports/{id}/reject',
  'GET /admin/domestic/enterprises',
  'GET /admin/domestic/enterprises/{aeoCode}',
  'GET /v1/outbound',
  'GET /v1/outbound/{id}',
  'POST /admin/outbound/{partner}/run',
  'POST /admin/outbound/{id}/approve',
  'POST /admin/outbound/{id}/reject',
  'POST /admin/outbound/{id}/resend',
  'GET /exchange/v1/outbound/trust-anchors',
  'GET /exchange/v1/outbound/{partner}/messages',
  'GET /exchange/v1/outbound/{partner}/messages/latest-full',
  'GET /exchange/v1/outbound/{partner}/messages/{sequence}',
  'POST /exchange/v1/outbound/{partner}/receipts',
  'POST /sandbox/{partner}/inbox',
  'POST /sandbox/domestic/advance',
];

/** Routes anyone may call (contract section 2). */
const PUBLIC_OPERATIONS = new Set([
  'GET /healthz',
  'GET /readyz',
  'GET /sandbox/{partner}/aeo-list',
  'POST /sandbox/{partner}/advance',
  'POST /sandbox/{partner}/inbox',
  'POST /sandbox/domestic/advance',
  'GET /exchange/v1/outbound/trust-anchors',
]);

/** Contract section 5: the reason codes a run must be able to carry. */
const CONTRACT_REASONS = [
  'SIGNATURE_INVALID',
  'SIGNER_UNTRUSTED',
  'SIGNER_EXPIRED',
  'SENDER_MISMATCH',
  'PAYLOAD_MALFORMED',
  'SCHEMA_INVALID',
  'SEQUENCE_REPLAYED',
  'SEQUENCE_CONFLICT',
  'EMPTY_LIST',
  'MASS_REMOVAL',
  'TOO_LARGE',
  'FETCH_FAILED',
  'TIMEOUT',
];

function operations(): { key: string; path: string; method: string; op: Operation }[] {
  const out: { key: string; path: string; method: string; op: Operation }[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (HTTP_METHODS.has(method)) out.push({ key: `${method.toUpperCase()} ${path}`, path, method, op });
    }
  }
  return out;
}

/** Resolves a local JSON pointer (`#/a/b~1c`) inside the document; undefined when it does not resolve. */
function resolvePointer(ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  if (ref === '#') return doc;
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const token = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof node !== 'object' || node === null || !Object.prototype.hasOwnProperty.call(node, token)) return undefined;
    node = (node as Record<string, unknown>)[token];
  }
  return node;
}

function collectRefs(node: unknown, at: string, into: { ref: string; at: string }[]): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => collectRefs(item, `${at}/${i}`, into));
  } else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') into.push({ ref: value, at });
      else collectRefs(value, `${at}/${key}`, into);
    }
  }
}

function deref<T extends { $ref?: string }>(node: T): T {
  let current = node;
  for (let i = 0; current.$ref !== undefined && i < 10; i++) current = resolvePointer(current.$ref) as T;
  return current;
}

function enumOf(name: string): unknown[] {
  const schema = doc.components.schemas[name];
  expect(schema, `components.schemas.${name}`).toBeDefined();
  expect(Array.isArray(schema!.enum), `components.schemas.${name}.enum`).toBe(true);
  return schema!.enum!;
}

/** Field names of `export interface <name> { ... }` in a source file (one level, no nested bodies). */
function interfaceFields(source: string, name: string): string[] {
  const text = readFileSync(file(source), 'utf8');
  const body = new RegExp(`export interface ${name}(?: extends [\\w, ]+)? \\{\\n([\\s\\S]*?)\\n\\}`).exec(text);
  expect(body, `interface ${name} in ${source}`).not.toBeNull();
  return [...body![1]!.matchAll(/^ {2}(\w+)\??:/gm)].map((m) => m[1]!);
}

/** Property names an object schema (possibly allOf of refs) declares. */
function declaredProperties(schema: SchemaObject): string[] {
  const s = deref(schema);
  const own = Object.keys(s.properties ?? {});
  return [...own, ...(s.allOf ?? []).flatMap((part) => declaredProperties(part))];
}

describe('docs/openapi.json', () => {
  it('is OpenAPI 3.1', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
  });

  it('resolves every $ref inside the document', () => {
    const refs: { ref: string; at: string }[] = [];
    collectRefs(doc, '#', refs);
    expect(refs.length).toBeGreaterThan(50);
    const broken = refs.filter((r) => resolvePointer(r.ref) === undefined).map((r) => `${r.at}: ${r.ref}`);
    expect(broken).toEqual([]);
  });

  it('documents exactly the routes the gateway serves', () => {
    const documented = operations().map((o) => o.key);
    expect(new Set(documented).size).toBe(documented.length);
    expect([...documented].sort()).toEqual([...EXPECTED_OPERATIONS].sort());
  });

  it('lists the same routes as the route modules register', () => {
    // A new file of routes must be added here (and its routes documented).
    const modules = readdirSync(file('../src/http/routes/'))
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .sort();
    expect(modules).toEqual(['audit.ts', 'certificates.ts', 'console.ts', 'domestic.ts', 'exchange-review.ts', 'exchanges.ts', 'health.ts', 'metrics.ts', 'openapi.ts', 'operators.ts', 'outbound-exchange.ts', 'outbound.ts', 'partners.ts', 'recognition.ts', 'registry.ts', 'sandbox-outbound.ts', 'sandbox.ts', 'whoami.ts']);

    // Installers only register handlers; the services behind them are never called here.
    const router: Router = express.Router();
    const auth = new Authenticator([]);
    healthRoutes(router, { indexLoaded: () => true, database: () => Promise.resolve('up') });
    openApiRoutes(router, auth);
    registryRoutes(router, { auth, registry: {}, today: () => '2026-01-01', exchangeOf: () => null } as unknown as RegistryRouteDeps);
    recognitionRoutes(router, auth, {} as unknown as LookupService);
    // One push route for every partner (`/exchange/v1/inbound/:partner`), resolved per request.
    exchangeRoutes(router, { auth, partners: { all: () => [], get: () => undefined } } as unknown as ExchangeRouteDeps);
    partnerRoutes(router, { auth } as unknown as PartnerRouteDeps);
    sandboxRoutes(router, {} as unknown as SandboxSimulator);
    whoamiRoutes(router, auth);
    auditRoutes(router, auth, {} as unknown as Db);
    metricsRoutes(router, auth, {} as unknown as GatewayMetrics);
    certificateRoutes(router, auth, () => Promise.resolve([]));

    const pass = ((_req: unknown, _res: unknown, next: () => void) => next()) as unknown as OperatorRouteDeps['canRead'];
    operatorRoutes(router, { canRead: pass } as unknown as OperatorRouteDeps);
    exchangeReviewRoutes(router, { canRead: pass, canDownload: pass } as unknown as ReviewRouteDeps);
    // The console's static files are not API routes: registered, but not in the API document.
    consoleRoutes(router, { timeZone: 'UTC', sandbox: false, dir: '/nonexistent' });
    domesticRoutes(router, { auth } as unknown as Parameters<typeof domesticRoutes>[1]);
    outboundRoutes(router, { auth } as unknown as Parameters<typeof outboundRoutes>[1]);
    outboundExchangeRoutes(router, { auth } as unknown as Parameters<typeof outboundExchangeRoutes>[1]);
    sandboxOutboundRoutes(router, {} as unknown as Parameters<typeof sandboxOutboundRoutes>[1]);


    const registered = new Set<string>();
    for (const layer of router.stack as { route?: { path: unknown; methods: Record<string, boolean> } }[]) {
      if (!layer.route || typeof layer.route.path !== 'string' || layer.route.path.startsWith('/console')) continue;
      const path = layer.route.path.replace(/[:*](\w+)/g, '{$1}'); // `*code` takes the rest of the path
      for (const [method, on] of Object.entries(layer.route.methods)) if (on) registered.add(`${method.toUpperCase()} ${path}`);
    }
    expect([...registered].sort()).toEqual([...EXPECTED_OPERATIONS].sort());
  });

  it('declares every path parameter of each template, and only those', () => {
    for (const { key, path, op } of operations()) {
      const inTemplate = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();
      const params = (op.parameters ?? []).map((p) => deref(p));
      const declared = params.filter((p) => p.in === 'path').map((p) => p.name!).sort();
      expect(declared, key).toEqual(inTemplate);
      for (const p of params.filter((q) => q.in === 'path')) expect(p.required, `${key} ${p.name}`).toBe(true);
    }
  });

  it('gives every operation a unique operationId and at least one response', () => {
    const ids = operations().map((o) => o.op.operationId);
    expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { key, op } of operations()) expect(Object.keys(op.responses ?? {}).length, key).toBeGreaterThan(0);
  });

  it('requires a bearer token everywhere except health, readiness and the sandbox', () => {
    const scheme = doc.components.securitySchemes.bearer;
    expect(scheme).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const scope of ['admin', 'lookup', 'viewer', 'operator', 'metrics', 'partner-']) expect(scheme!.description).toContain(scope);
    expect(doc.security).toBeUndefined(); // each operation says it itself
    for (const { key, op } of operations()) {
      if (PUBLIC_OPERATIONS.has(key)) {
        expect(op.security, key).toEqual([]);
        continue;
      }
      expect(op.security?.length ?? 0, key).toBeGreaterThan(0);
      for (const requirement of op.security!) {
        for (const name of Object.keys(requirement)) expect(doc.components.securitySchemes[name], `${key} ${name}`).toBeDefined();
      }
      // admin passes everywhere (src/http/auth.ts)
      expect(op.security, key).toContainEqual({ bearer: ['admin'] });
      const statuses = Object.keys(op.responses ?? {});
      expect(statuses, key).toContain('401');
      // Any valid token reads the document and its own identity, so these have no 403.
      if (key !== 'GET /openapi.json' && key !== 'GET /admin/whoami') expect(statuses, key).toContain('403');
    }
  });

  it('has the Decision enum in the order decide() checks it (DECISION_ORDER)', () => {
    // DECISION_ORDER is the order decide() applies (src/domain/decision.test.ts checks that).
    expect(enumOf('Decision')).toEqual([...DECISION_ORDER]);
    const answer = doc.components.schemas.RecognitionAnswer!;
    expect(answer.properties?.decision).toEqual({ $ref: '#/components/schemas/Decision' });
  });

  it('has exactly the error catalogue as the Error code enum', () => {
    const documented = enumOf('ErrorCode') as string[];
    const catalogue = Object.keys(ERROR_CATALOGUE);
    expect(documented.filter((c) => !catalogue.includes(c))).toEqual([]);
    expect(catalogue.filter((c) => !documented.includes(c))).toEqual([]);
    expect(documented.length).toBe(catalogue.length);
    const error = doc.components.schemas.Error!;
    expect(error.required).toEqual(['error']);
    expect(error.properties?.error?.properties?.code).toEqual({ $ref: '#/components/schemas/ErrorCode' });
  });

  it('has the audit actions and outcomes of src/audit/audit-log.ts', () => {
    expect(enumOf('AuditAction')).toEqual([...AUDIT_ACTIONS]);
    expect(enumOf('AuditOutcome')).toEqual([...AUDIT_OUTCOMES]);
  });

  it('lists the contract reason codes for runs, all from the catalogue', () => {
    const reasons = enumOf('RunReason') as string[];
    for (const r of CONTRACT_REASONS) expect(reasons).toContain(r);
    for (const r of reasons) expect(Object.keys(ERROR_CATALOGUE)).toContain(r);
    expect(enumOf('Outcome')).toEqual(['APPLIED', 'NO_CHANGE', 'QUARANTINED', 'REJECTED', 'FAILED']);
  });

  it('describes every field of the answers the code builds', () => {
    const same = (schema: string, fields: string[]): void => {
      const s = doc.components.schemas[schema]!;
      expect([...declaredProperties(s)].sort(), schema).toEqual([...fields].sort());
    };
    same('RecognitionAnswer', interfaceFields('../src/lookup/service.ts', 'RecognitionAnswer'));
    same('Operator', interfaceFields('../src/lookup/service.ts', 'OperatorView'));
    same('Provenance', interfaceFields('../src/lookup/operator-index.ts', 'Provenance'));
    same('ExchangeRun', interfaceFields('../src/exchange/types.ts', 'ExchangeRun'));
    same('Counts', interfaceFields('../src/exchange/types.ts', 'Counts'));
    same('RunProblem', interfaceFields('../src/exchange/types.ts', 'RunProblem'));
    same('PartnerStatus', interfaceFields('../src/http/routes/exchanges.ts', 'PartnerStatus'));
    same('DryRunReport', interfaceFields('../src/onboarding/dry-run.ts', 'DryRunReport'));
    same('PartnerVersion', interfaceFields('../src/onboarding/service.ts', 'VersionSummary'));
    same('ActivationResult', interfaceFields('../src/onboarding/service.ts', 'ActivationResult'));
    const stored = JSON.parse(readFileSync(file('../schemas/agreement.schema.json'), 'utf8')) as SchemaObject;
    same('AgreementFacts', Object.keys(stored.properties!));
    expect(deref(doc.components.schemas.AgreementFields!).required).toEqual(stored.required);
    same('Agreement', [...Object.keys(stored.properties!), 'status', 'exchange']);
  });

  it('has examples that fit their schemas', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    const base = 'https://aeo-gateway.local/openapi.json';
    ajv.addSchema({ $id: base, components: { schemas: doc.components.schemas } });
    for (const name of Object.keys(doc.components.schemas)) expect(() => ajv.getSchema(`${base}#/components/schemas/${name}`), name).not.toThrow();

    const failures: string[] = [];
    let checked = 0;
    for (const { key, op } of operations()) {
      const bodies: [string, Record<string, MediaType> | undefined][] = [['request', op.requestBody?.content]];
      for (const [status, r] of Object.entries(op.responses ?? {})) bodies.push([status, deref(r).content]);
      for (const [where, content] of bodies) {
        for (const [mediaType, media] of Object.entries(content ?? {})) {
          if (!media.schema?.$ref || !media.examples) continue;
          const validate = ajv.getSchema(`${base}${media.schema.$ref}`)!;
          for (const [name, example] of Object.entries(media.examples)) {
            checked++;
            if (!validate(deref(example).value)) failures.push(`${key} ${where} ${mediaType} ${name}: ${ajv.errorsText(validate.errors)}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(40);
  });

  it('shows every sandbox operator of contract section 7 as a lookup example, with its expected decision', () => {
    const table = SECTION_7;
    const examples = doc.paths['/v1/recognition/{code}']!.get!.responses!['200']!.content!['application/json']!.examples!;
    for (const [code, decision] of table) {
      expect(examples[code]?.value, code).toMatchObject({ code, decision, recognised: decision === 'RECOGNISED' });
    }
  });
});
