import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import AjvDraft04 from 'ajv-draft-04';

// The CommonJS build exports the class as `default` too; that is the one NodeNext types see.
const Ajv = AjvDraft04.default;

/** The official Postman Collection v2.1.0 schema, vendored in the repository's `schemas` folder. */
export const SCHEMA_PATH = fileURLToPath(new URL('../../../../schemas/postman-collection-v2.1.0.schema.json', import.meta.url));

let compiled: ReturnType<InstanceType<typeof Ajv>['compile']> | undefined;

/** Validates a collection against the official schema; returns the errors (empty when valid). */
export function schemaErrors(collection: unknown): unknown[] {
  compiled ??= new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as object);
  return compiled(collection) ? [] : [...(compiled.errors ?? [])];
}
