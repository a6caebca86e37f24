import { createRequire } from 'node:module';
import AjvModule from 'ajv';
import addFormatsModule from 'ajv-formats';

const require = createRequire(import.meta.url);

// The CommonJS builds export the class and the plugin as `default` too; that is what NodeNext types see.
const Ajv = AjvModule.default;
const addFormats = addFormatsModule.default;

/**
 * Compiles the HAR 1.2 JSON schema (the `har-schema` package, which har-validator uses) with
 * ajv 8. The schema is draft-06 and uses the date-time, ipv4 and ipv6 formats.
 */
export function compileHarSchema() {
  const schemas = require('har-schema') as Record<string, { $id: string }>;
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json') as object);
  addFormats(ajv);
  for (const [name, schema] of Object.entries(schemas)) if (name !== 'har') ajv.addSchema(schema);
  return ajv.compile(schemas.har!);
}
