import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import AjvDraft04 from 'ajv-draft-04';
import { convertV2 } from 'openapi-to-postmanv2';

// The CommonJS build exports the class as `default` too; that is the one NodeNext types see.
const Ajv = AjvDraft04.default;

/** The official Postman Collection v2.1.0 schema: the shared copy beside the repository, else the vendored one. */
const SCHEMA_PATHS = ['../../../../../shared/schemas/postman-collection-v2.1.0.schema.json', '../../../../schemas/postman-collection-v2.1.0.schema.json'].map((relative) =>
  fileURLToPath(new URL(relative, import.meta.url)),
);

let compiled: ReturnType<InstanceType<typeof Ajv>['compile']> | undefined;

/** Validates a collection against the official schema; returns the errors (empty when valid). */
export function postmanSchemaErrors(collection: unknown): unknown[] {
  const file = SCHEMA_PATHS.find((candidate) => existsSync(candidate));
  if (!file) throw new Error(`no Postman schema at ${SCHEMA_PATHS.join(' or ')}`);
  compiled ??= new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(file, 'utf8')) as object);
  return compiled(collection) ? [] : [...(compiled.errors ?? [])];
}

/** Converts an OpenAPI document (text) with Postman's own converter and returns the collection. */
export function toPostman(text: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    convertV2({ type: 'string', data: text }, {}, (error, result) => {
      if (error) return reject(error);
      if (!result?.result) return reject(new Error(`openapi-to-postmanv2: ${result?.reason ?? 'conversion failed'}`));
      resolve(result.output![0]!.data as Record<string, unknown>);
    });
  });
}
