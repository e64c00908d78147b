// One way to compile JSON Schemas (draft 2020-12) everywhere: strict, all errors, standard formats.
import { readFileSync } from 'node:fs';
import Ajv2020Module from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// CommonJS packages: under NodeNext the default import is `module.exports`, whose `.default` is the export.
const Ajv2020 = Ajv2020Module.default;
const addFormats = addFormatsModule.default;

export type Ajv = InstanceType<typeof Ajv2020>;

let metaChecker: Ajv | undefined;

/** Throws (as ajv does) unless `schema` is a valid draft 2020-12 schema. */
function assertValidSchema(schema: object | boolean): void {
  if (typeof schema === 'boolean') return;
  metaChecker ??= addFormats(new Ajv2020({ strict: true, allowUnionTypes: true }));
  if (!metaChecker.validateSchema(schema)) throw new Error(`schema is invalid: ${metaChecker.errorsText(metaChecker.errors)}`);
}

/** An ajv instance as every schema here wants it: strict, draft 2020-12, with formats. */
export function createAjv(allErrors = true, useDefaults = false): Ajv {
  // Ajv checks each schema against the meta-schema, which it compiles once per instance (~0.1 s; a
  // dozen instances made start-up seconds slower). One shared checker does that check instead.
  const ajv = addFormats(new Ajv2020({ strict: true, allErrors, allowUnionTypes: true, useDefaults, validateSchema: false }));
  const compile = ajv.compile.bind(ajv);
  const addSchema = ajv.addSchema.bind(ajv);
  ajv.compile = ((schema: object, meta?: boolean) => {
    assertValidSchema(schema);
    return compile(schema, meta);
  }) as Ajv['compile'];
  ajv.addSchema = (schema: object | object[], key?: string) => {
    for (const s of ([] as object[]).concat(schema)) assertValidSchema(s);
    return addSchema(schema, key);
  };
  return ajv;
}

export function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8')) as unknown;
}

/** Compiles the schema files (the first is the entry; the others are what it `$ref`s by `$id`). */
export function compileSchemaFiles<T>(files: readonly string[]): ValidateFunction<T> {
  const ajv = createAjv();
  const [entry, ...refs] = files.map((f) => readJson(f) as object);
  for (const r of refs) ajv.addSchema(r);
  return ajv.compile<T>(entry!);
}

/** Ajv errors as short readable lines: `/path: message`. */
export function describeErrors(errors: readonly ErrorObject[] | null | undefined, max = 20): string[] {
  return (errors ?? []).slice(0, max).map((e) => `${e.instancePath || '/'}: ${e.message ?? 'is invalid'}`);
}
