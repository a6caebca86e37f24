import { STATUS_CODES } from 'node:http';
import type { ContentModel, OperationModel, ParamModel, PathModel, TrafficModel } from './collect.js';
import { toSchema } from './schema.js';
import type { IdentifierKind } from './path-template.js';
import {
  METHODS,
  type MediaTypeObject,
  type OpenApiDocument,
  type OpenApiVersion,
  type OperationObject,
  type ParameterObject,
  type PathItemObject,
  type ResponseObject,
  type SchemaObject,
} from './types.js';

/** What {@link buildDocument} needs besides the model. */
export interface BuildOptions {
  version: OpenApiVersion;
  /** `info.title`; defaults to the host name (`api.example.com API`). */
  title: string | undefined;
  /** `info.version`. */
  apiVersion: string;
}

/**
 * Writes the OpenAPI document for a traffic model. Every list and map is written in a fixed
 * order (paths and status codes sorted, methods in the specification's order, properties as
 * first seen), so the same model always gives the same document.
 */
export function buildDocument(model: TrafficModel, options: BuildOptions): OpenApiDocument {
  const { version } = options;
  const paths: Record<string, PathItemObject> = {};
  const tags = new Set<string>();
  const operationIds = new Set<string>();
  for (const template of [...model.paths.keys()].sort()) {
    const path = model.paths.get(template)!;
    const item: PathItemObject = {};
    if (model.servers.size > 1 && path.servers.size < model.servers.size) item.servers = [...path.servers].sort().map((url) => ({ url }));
    if (path.params.size) item.parameters = pathParameters(path);
    for (const method of METHODS) {
      const operation = path.operations.get(method);
      if (!operation) continue;
      const tag = tagOf(path);
      tags.add(tag);
      item[method] = buildOperation(operation, tag, uniqueId(operationIdOf(method, path), operationIds), version);
    }
    paths[template] = item;
  }
  const document: OpenApiDocument = {
    openapi: version === '3.1' ? '3.1.0' : '3.0.3',
    info: {
      title: options.title ?? defaultTitle(model.hosts),
      version: options.apiVersion,
      description: `Inferred by capture from ${model.used} captured exchange${model.used === 1 ? '' : 's'}.`,
    },
    servers: [...model.servers].sort().map((url) => ({ url })),
    tags: [...tags].sort().map((name) => ({ name })),
    paths,
  };
  if (model.schemes.size) {
    document.components = { securitySchemes: Object.fromEntries([...model.schemes].sort(([a], [b]) => compare(a, b))) };
  }
  return document;
}

function pathParameters(path: PathModel): ParameterObject[] {
  return [...path.params].map(([name, param]) => ({ name, in: 'path', required: true, schema: kindSchema(param.kind), example: param.kind === 'integer' ? Number(param.example) : param.example }));
}

function kindSchema(kind: IdentifierKind): SchemaObject {
  if (kind === 'integer') return { type: 'integer' };
  if (kind === 'uuid') return { type: 'string', format: 'uuid' };
  return { type: 'string' };
}

function buildOperation(operation: OperationModel, tag: string, operationId: string, version: OpenApiVersion): OperationObject {
  const parameters = [
    ...sortedParams(operation.query).map((param) => parameter(param, 'query', operation, version)),
    ...sortedParams(operation.headers).map((param) => parameter(param, 'header', operation, version)),
  ];
  // Keys in the order readers expect: input first, then responses, then security.
  const out: OperationObject = {
    tags: [tag],
    operationId,
    ...(parameters.length ? { parameters } : {}),
    ...(operation.requestContents.size
      ? { requestBody: { ...(operation.bodySamples === operation.samples ? { required: true } : {}), content: contents(operation.requestContents, version) } }
      : {}),
    responses: {},
  };
  for (const status of [...operation.responses.keys()].sort((a, b) => a - b)) {
    const response = operation.responses.get(status)!;
    const object: ResponseObject = { description: response.message || STATUS_CODES[status] || `status ${status}` };
    if (response.contents.size) object.content = contents(response.contents, version);
    out.responses[String(status)] = object;
  }
  // OpenAPI needs at least one response; a request that got none still documents its input.
  if (!operation.responses.size) out.responses.default = { description: 'no response was captured' };
  if (operation.requirements.size) {
    const requirements = [...operation.requirements.keys()].sort().map((key) => Object.fromEntries(operation.requirements.get(key)!.map((name) => [name, []])));
    // An empty requirement says the operation also answered without credentials.
    out.security = operation.anonymous ? [...requirements, {}] : requirements;
  }
  return out;
}

function sortedParams(params: Map<string, ParamModel>): ParamModel[] {
  return [...params.entries()].sort(([a], [b]) => compare(a, b)).map(([, param]) => param);
}

function parameter(param: ParamModel, where: 'query' | 'header', operation: OperationModel, version: OpenApiVersion): ParameterObject {
  const out: ParameterObject = { name: param.name, in: where };
  if (param.count === operation.samples) out.required = true;
  // A repeated name (`?tag=a&tag=b`) is an array; query parameters are form style and exploded by default, which is how it was sent.
  const values = toSchema(param.shape, version);
  out.schema = param.repeated ? { type: 'array', items: values } : values;
  if (param.example !== undefined) out.example = param.repeated && !Array.isArray(param.example) ? [param.example] : param.example;
  return out;
}

function contents(models: Map<string, ContentModel>, version: OpenApiVersion): Record<string, MediaTypeObject> {
  const out: Record<string, MediaTypeObject> = {};
  for (const mediaType of [...models.keys()].sort()) {
    const model = models.get(mediaType)!;
    const media: MediaTypeObject = { schema: contentSchema(model, version) };
    if (model.hasExample) media.example = model.example;
    out[mediaType] = media;
  }
  return out;
}

function contentSchema(model: ContentModel, version: OpenApiVersion): SchemaObject {
  if (model.shape.count) return toSchema(model.shape, version);
  if (model.kinds.has('binary')) return { type: 'string', format: 'binary' };
  if (model.kinds.has('text')) return { type: 'string' };
  // Seen, but captured in part or not parsable: nothing can be said about its structure.
  return {};
}

/** Version prefixes and `api` say nothing about the resource, so the tag is the first segment after them. */
const PREFIX = /^(api|rest|v\d+(\.\d+)*)$/i;

/** The tag of a path: its first literal segment that is not a prefix such as `api` or `v2`. */
export function tagOf(path: PathModel): string {
  const literals = path.segments.flatMap((segment) => ('literal' in segment && segment.literal ? [segment.literal] : []));
  return literals.find((literal) => !PREFIX.test(literal)) ?? literals[0] ?? 'root';
}

/** `get` + `/users/{userId}/orders` → `getUsersByUserIdOrders`. */
export function operationIdOf(method: string, path: PathModel): string {
  const words = path.segments.map((segment) => ('literal' in segment ? pascal(segment.literal) : `By${pascal(segment.param)}`));
  return `${method}${words.join('') || 'Root'}`;
}

function uniqueId(id: string, used: Set<string>): string {
  let candidate = id;
  for (let n = 2; used.has(candidate); n++) candidate = `${id}${n}`;
  used.add(candidate);
  return candidate;
}

function pascal(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join('');
}

function defaultTitle(hosts: string[]): string {
  return hosts.length === 1 ? `${hosts[0]} API` : 'Captured API';
}

/** Code-unit order, the same on every machine and locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
