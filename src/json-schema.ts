// One way to compile JSON Schemas (draft 2020-12) everywhere: strict, all errors, standard formats.
import { readFileSync } from 'node:fs';
import Ajv2020Module from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// CommonJS packages: under NodeNext the default import is `module.exports`, whose `.default` is the export.
const Ajv2020 = Ajv2020Module.default;
const addFormats = addFormatsModule.default;

export type Ajv = InstanceType<typeof Ajv2020>;

/** An ajv instance as every schema here wants it: strict, draft 2020-12, with formats. */
export function createAjv(allErrors = true, useDefaults = false): Ajv {
  const ajv = new Ajv2020({ strict: true, allErrors, allowUnionTypes: true, useDefaults });
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
