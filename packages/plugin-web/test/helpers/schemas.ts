import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import AjvModule from 'ajv';
import AjvDraft04 from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';

const require = createRequire(import.meta.url);
// The CommonJS builds export the classes and the plugin as `default` too; that is what NodeNext types see.
const Ajv = AjvModule.default;
const Ajv04 = AjvDraft04.default;
const addFormats = addFormatsModule.default;

/** The HAR 1.2 schema (the `har-schema` package har-validator uses), compiled with ajv. */
export function compileHarSchema() {
  const schemas = require('har-schema') as Record<string, { $id: string }>;
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json') as object);
  addFormats(ajv);
  for (const [name, schema] of Object.entries(schemas)) if (name !== 'har') ajv.addSchema(schema);
  return ajv.compile(schemas.har!);
}

/** The official Postman Collection v2.1.0 schema from the repository's schemas folder (draft-04). */
export function compilePostmanSchema() {
  const file = fileURLToPath(new URL('../../../../schemas/postman-collection-v2.1.0.schema.json', import.meta.url));
  return new Ajv04({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(file, 'utf8')) as object);
}
