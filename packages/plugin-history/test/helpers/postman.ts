import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import AjvDraft04 from 'ajv-draft-04';

// The CommonJS build exports the class as `default` too; that is the one NodeNext types see.
const Ajv = AjvDraft04.default;

/** The official Postman Collection v2.1.0 schema, from the repository's shared folder. */
const SCHEMA_PATH = fileURLToPath(new URL('../../../../schemas/postman-collection-v2.1.0.schema.json', import.meta.url));

/** Compiles the Postman schema with ajv (draft-04, as the schema declares itself). */
export function compilePostmanSchema() {
  return new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as object);
}
