import {
  METHODS,
  type MediaTypeObject,
  type OpenApiDocument,
  type OperationObject,
  type ParameterObject,
  type PathItemObject,
  type SchemaObject,
} from './types.js';

/** What changed between a document and the traffic merged into it. */
export interface DriftReport {
  /** Operations the traffic has and the document had not: `POST /v1/users`. */
  newOperations: string[];
  /** Parameters, bodies, responses and schema properties newly seen: `GET /v1/users/{id} 200 application/json: address.zip`. */
  newFields: string[];
  /** Parameters and schema properties of the document that this traffic did not show (they are kept). */
  goneFields: string[];
  /** Operations of the document that this traffic did not show (they are kept). */
  unseenOperations: string[];
}

/** A merged document and its drift. */
export interface MergeResult {
  document: OpenApiDocument;
  drift: DriftReport;
}

/**
 * Merges a freshly generated document into one the user keeps (and may have edited). What the
 * existing document says wins: titles, descriptions, summaries, operation ids, examples, schema
 * types and `required`, and renamed path parameters (paths are matched by shape, so
 * `/users/{id}` in the file matches `/users/{userId}` from the traffic). What it lacks is added:
 * servers, tags, security schemes, paths, operations, parameters, bodies, responses, media types
 * and schema properties. Nothing is removed; what the traffic no longer shows is reported.
 */
export function mergeOpenApi(existing: OpenApiDocument, generated: OpenApiDocument): MergeResult {
  const drift: DriftReport = { newOperations: [], newFields: [], goneFields: [], unseenOperations: [] };
  const out = structuredClone(existing);
  out.paths ??= {};
  if (generated.servers?.length) out.servers = unionBy(out.servers ?? [], generated.servers, (server) => server.url);
  if (generated.tags?.length) out.tags = unionBy(out.tags ?? [], generated.tags, (tag) => tag.name);
  const schemes = generated.components?.securitySchemes;
  if (schemes) {
    out.components ??= {};
    out.components.securitySchemes = { ...schemes, ...out.components.securitySchemes };
  }

  const byShape = new Map(Object.keys(out.paths).map((key) => [shapeOf(key), key]));
  const seen = new Set<string>();
  for (const [template, generatedItem] of Object.entries(generated.paths)) {
    const key = byShape.get(shapeOf(template));
    if (key === undefined) {
      out.paths[template] = structuredClone(generatedItem);
      for (const method of METHODS) if (generatedItem[method]) drift.newOperations.push(`${method.toUpperCase()} ${template}`);
      continue;
    }
    const item = renamePathParams(structuredClone(generatedItem), template, key);
    const target = out.paths[key]!;
    mergePathItem(target, item, key, drift);
    for (const method of METHODS) if (item[method]) seen.add(`${method} ${key}`);
  }
  for (const [key, item] of Object.entries(existing.paths ?? {})) {
    for (const method of METHODS) {
      if (item[method] && !seen.has(`${method} ${key}`)) drift.unseenOperations.push(`${method.toUpperCase()} ${key}`);
    }
  }
  return { document: out, drift };
}

/** `/users/{userId}/orders` → `/users/{}/orders`: a path's shape, whatever its parameters are called. */
function shapeOf(template: string): string {
  return template.replace(/\{[^}]*\}/g, '{}');
}

/** Gives the generated item the parameter names the user chose in `existingKey`. */
function renamePathParams(item: PathItemObject, generatedKey: string, existingKey: string): PathItemObject {
  const names = (key: string) => [...key.matchAll(/\{([^}]*)\}/g)].map((match) => match[1]!);
  const from = names(generatedKey);
  const to = names(existingKey);
  const rename = new Map(from.map((name, index) => [name, to[index] ?? name]));
  const fix = (params: ParameterObject[] | undefined) => params?.forEach((param) => {
    if (param.in === 'path') param.name = rename.get(param.name) ?? param.name;
  });
  fix(item.parameters);
  for (const method of METHODS) fix(item[method]?.parameters);
  return item;
}

function mergePathItem(target: PathItemObject, item: PathItemObject, key: string, drift: DriftReport): void {
  if (item.servers?.length) target.servers = unionBy(target.servers ?? [], item.servers, (server) => server.url);
  const declared = new Set([...(target.parameters ?? []), ...METHODS.flatMap((method) => target[method]?.parameters ?? [])].map(paramKey));
  const missing = (item.parameters ?? []).filter((param) => !declared.has(paramKey(param)));
  if (missing.length) target.parameters = [...(target.parameters ?? []), ...missing];
  for (const method of METHODS) {
    const operation = item[method];
    if (!operation) continue;
    const label = `${method.toUpperCase()} ${key}`;
    const existing = target[method];
    if (!existing) {
      target[method] = operation;
      drift.newOperations.push(label);
    } else mergeOperation(existing, operation, label, drift);
  }
}

function mergeOperation(target: OperationObject, operation: OperationObject, label: string, drift: DriftReport): void {
  const known = new Map((target.parameters ?? []).map((param) => [paramKey(param), param]));
  const generated = new Set((operation.parameters ?? []).map(paramKey));
  for (const param of operation.parameters ?? []) {
    if (known.has(paramKey(param))) continue;
    target.parameters = [...(target.parameters ?? []), param];
    drift.newFields.push(`${label}: ${param.in} parameter ${param.name}`);
  }
  for (const param of target.parameters ?? []) {
    if (param.in !== 'path' && !generated.has(paramKey(param)) && known.has(paramKey(param))) drift.goneFields.push(`${label}: ${param.in} parameter ${param.name}`);
  }
  if (operation.requestBody) {
    if (!target.requestBody) {
      target.requestBody = operation.requestBody;
      drift.newFields.push(`${label}: request body`);
    } else mergeContent(target.requestBody.content ?? (target.requestBody.content = {}), operation.requestBody.content, `${label} request`, drift);
  }
  target.responses ??= {};
  for (const [status, response] of Object.entries(operation.responses)) {
    const existing = target.responses[status];
    if (!existing) {
      target.responses[status] = response;
      drift.newFields.push(`${label}: response ${status}`);
    } else if (response.content) mergeContent(existing.content ?? (existing.content = {}), response.content, `${label} ${status}`, drift);
  }
  if (operation.security && !target.security) target.security = operation.security;
}

function mergeContent(target: Record<string, MediaTypeObject>, content: Record<string, MediaTypeObject>, label: string, drift: DriftReport): void {
  for (const [mediaType, media] of Object.entries(content)) {
    const existing = target[mediaType];
    if (!existing) {
      target[mediaType] = media;
      drift.newFields.push(`${label}: ${mediaType} body`);
      continue;
    }
    if (!existing.schema) existing.schema = media.schema;
    else if (media.schema) mergeSchema(existing.schema, media.schema, `${label} ${mediaType}`, '', drift);
    if (existing.example === undefined && media.example !== undefined) existing.example = media.example;
  }
}

/**
 * Adds the properties `schema` has that `target` lacks, at every depth, and reports the ones it
 * lacks. A schema the user wrote with `$ref` or a combinator is theirs alone: left as it is.
 */
function mergeSchema(target: SchemaObject, schema: SchemaObject, label: string, at: string, drift: DriftReport): void {
  if (target.$ref || target.anyOf || target.oneOf || target.allOf) return;
  if (schema.properties) {
    const properties = (target.properties ??= {});
    for (const [name, property] of Object.entries(schema.properties)) {
      const field = at ? `${at}.${name}` : name;
      if (!properties[name]) {
        properties[name] = property;
        drift.newFields.push(`${label}: ${field}`);
      } else mergeSchema(properties[name], property, label, field, drift);
    }
    for (const name of Object.keys(properties)) {
      if (!schema.properties[name]) drift.goneFields.push(`${label}: ${at ? `${at}.${name}` : name}`);
    }
  }
  if (schema.items && target.items) mergeSchema(target.items, schema.items, label, `${at}[]`, drift);
  else if (schema.items && !target.items && (target.type === 'array' || target.type === undefined)) target.items = schema.items;
}

function paramKey(param: ParameterObject): string {
  // Header names are case-insensitive; the others are not.
  return `${param.in}:${param.in === 'header' ? param.name.toLowerCase() : param.name}`;
}

function unionBy<T>(existing: T[], added: T[], keyOf: (item: T) => string): T[] {
  const keys = new Set(existing.map(keyOf));
  return [...existing, ...added.filter((item) => !keys.has(keyOf(item)))];
}

/** The drift as a few lines for stderr; empty when nothing changed. */
export function formatDrift(drift: DriftReport, file: string): string {
  const lines: string[] = [];
  const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  lines.push(
    `openapi: merged into ${file}: ${count(drift.newOperations.length, 'new operation')}, ${count(drift.newFields.length, 'new field')}, ` +
      `${count(drift.goneFields.length, 'field')} no longer seen, ${count(drift.unseenOperations.length, 'operation')} not in this traffic`,
  );
  for (const operation of drift.newOperations) lines.push(`  + ${operation}`);
  for (const field of drift.newFields) lines.push(`  + ${field}`);
  for (const field of drift.goneFields) lines.push(`  - ${field} (not seen, kept)`);
  for (const operation of drift.unseenOperations) lines.push(`  ? ${operation} (not in this traffic, kept)`);
  return `${lines.join('\n')}\n`;
}
