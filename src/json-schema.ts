// One way to compile JSON Schemas (draft 2020-12) everywhere: strict, all errors, standard formats.
import { readFileSync } from 'node:fs';
import Ajv2020Module from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// The CommonJS default exports arrive wrapped under NodeNext.
const Ajv2020 = Ajv2020Module as unknown as typeof Ajv2020Module.default;
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

export type Ajv = InstanceType<typeof Ajv2020>;

export function createAjv(): Ajv {
  const ajv = new Ajv2020({ allErrors: true, strict: true, useDefaults: false });
  addFormats(ajv);
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
