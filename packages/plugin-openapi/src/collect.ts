import { getHeader, type HeaderList } from '@capture/core';
import type { StoredExchange } from '@capture/core/record';
import { mediaTypeOf, parseBody, scalarFromText, type ParsedBody } from './body.js';
import { templatePath, widenKind, type IdentifierKind, type TemplateSegment } from './path-template.js';
import { REDACTED, SecretSet, isSecretName, looksLikeToken, redactValue } from './secrets.js';
import { detectSecurity } from './security.js';
import { addSample, emptyShape, type Shape } from './shape.js';
import { isStandardHeader } from './standard-headers.js';
import { METHODS, type Method, type SecuritySchemeObject } from './types.js';

/** A query or header parameter as seen across an operation's samples. */
export interface ParamModel {
  /** Its name as first seen. */
  name: string;
  /** Every value seen (a repeated query name adds each of its values). */
  shape: Shape;
  /** Samples that had it. */
  count: number;
  /** True once a sample repeated it (`?tag=a&tag=b`): it is an array. */
  repeated: boolean;
  /** Its value in the first sample that had it (redacted when secret). */
  example: unknown;
}

/** The bodies of one media type seen in one place (a request, or a response status). */
export interface ContentModel {
  /** JSON and form bodies. */
  shape: Shape;
  /** What kinds of body were seen. */
  kinds: Set<ParsedBody['kind'] | 'absent'>;
  /** The first JSON or form body, redacted. */
  example?: unknown;
  hasExample: boolean;
}

/** Responses of one status code. */
export interface ResponseModel {
  /** The first reason phrase seen. */
  message: string;
  contents: Map<string, ContentModel>;
}

/** One method on one path. */
export interface OperationModel {
  method: Method;
  samples: number;
  query: Map<string, ParamModel>;
  /** By lower-case name. */
  headers: Map<string, ParamModel>;
  /** Samples that had a request body. */
  bodySamples: number;
  requestContents: Map<string, ContentModel>;
  responses: Map<number, ResponseModel>;
  /** Distinct sets of schemes used together, keyed by their names joined. */
  requirements: Map<string, string[]>;
  /** Samples that sent no credentials. */
  anonymous: number;
  /** Samples that got no response (failed, or the response was not saved). */
  unanswered: number;
}

/** A path parameter. */
export interface PathParamModel {
  kind: IdentifierKind;
  /** The value in the first sample. */
  example: string;
}

/** One templated path. */
export interface PathModel {
  template: string;
  segments: TemplateSegment[];
  params: Map<string, PathParamModel>;
  operations: Map<Method, OperationModel>;
  /** The origins it was seen on. */
  servers: Set<string>;
}

/** Everything the document is built from. */
export interface TrafficModel {
  paths: Map<string, PathModel>;
  servers: Set<string>;
  schemes: Map<string, SecuritySchemeObject>;
  secrets: SecretSet;
  /** Exchanges described. */
  used: number;
  /** Exchanges left out: methods OpenAPI has no operation for (CONNECT, WebDAV), unparsable URLs. */
  skipped: number;
  /** Hosts seen, in order of first sight. */
  hosts: string[];
}

/** Options for {@link collectTraffic}. */
export interface CollectOptions {
  /** Array items kept in examples. */
  maxExampleItems: number;
}

/**
 * Reads exchanges into a {@link TrafficModel}. Exchanges are taken in id order (then start
 * time), so the same traffic always gives the same model whatever order it came in.
 */
export function collectTraffic(exchanges: Iterable<StoredExchange>, options: CollectOptions): TrafficModel {
  const model: TrafficModel = { paths: new Map(), servers: new Set(), schemes: new Map(), secrets: new SecretSet(), used: 0, skipped: 0, hosts: [] };
  const sorted = [...exchanges].sort((a, b) => a.id - b.id || a.timings.startedAt - b.timings.startedAt);
  for (const exchange of sorted) addExchange(model, exchange, options);
  return model;
}

function addExchange(model: TrafficModel, exchange: StoredExchange, options: CollectOptions): void {
  const method = exchange.request.method.toLowerCase() as Method;
  let url: URL;
  try {
    url = new URL(exchange.request.url);
  } catch {
    model.skipped++;
    return;
  }
  if (!METHODS.includes(method) || !/^https?:$/.test(url.protocol)) {
    model.skipped++;
    return;
  }
  model.used++;
  // URL.host leaves out default ports and the user:password part never enters the origin.
  const origin = `${url.protocol}//${url.host}`;
  model.servers.add(origin);
  if (!model.hosts.includes(url.hostname)) model.hosts.push(url.hostname);
  if (url.username || url.password) {
    model.secrets.add(decodeURIComponent(url.password));
    model.secrets.add(decodeURIComponent(url.username));
  }

  const { template, segments } = templatePath(url.pathname);
  let path = model.paths.get(template);
  if (!path) model.paths.set(template, (path = { template, segments, params: new Map(), operations: new Map(), servers: new Set() }));
  path.servers.add(origin);
  const concrete = url.pathname.split('/').slice(1);
  segments.forEach((segment, index) => {
    if (!('param' in segment)) return;
    const known = path.params.get(segment.param);
    if (known) known.kind = widenKind(known.kind, segment.kind);
    else path.params.set(segment.param, { kind: segment.kind, example: decodeURIComponent(concrete[index] ?? '') });
  });

  let operation = path.operations.get(method);
  if (!operation) {
    operation = { method, samples: 0, query: new Map(), headers: new Map(), bodySamples: 0, requestContents: new Map(), responses: new Map(), requirements: new Map(), anonymous: 0, unanswered: 0 };
    path.operations.set(method, operation);
  }
  operation.samples++;

  const security = detectSecurity(exchange.request.headers, url.searchParams, model.secrets);
  for (const [name, scheme] of security.schemes) if (!model.schemes.has(name)) model.schemes.set(name, scheme);
  if (security.used.length) operation.requirements.set(security.used.join(' '), security.used);
  else operation.anonymous++;

  addQuery(operation, url.searchParams, security.query, model.secrets);
  addHeaders(operation, exchange.request.headers, security.headers, model.secrets);

  const requestBody = exchange.request.body;
  if (requestBody?.bytes.length || exchange.request.bodySize > 0) {
    operation.bodySamples++;
    const mediaType = mediaTypeOf(getHeader(exchange.request.headers, 'content-type'));
    addContent(operation.requestContents, mediaType, parseBody(requestBody, mediaType), model.secrets, options);
  }

  const response = exchange.response;
  if (!response || exchange.error) {
    operation.unanswered++;
    return;
  }
  let status = operation.responses.get(response.statusCode);
  if (!status) operation.responses.set(response.statusCode, (status = { message: response.statusMessage, contents: new Map() }));
  if (response.body?.bytes.length || response.bodySize > 0) {
    const mediaType = mediaTypeOf(getHeader(response.headers, 'content-type'));
    addContent(status.contents, mediaType, parseBody(response.body, mediaType), model.secrets, options);
  }
}

/** Adds a query string: repeated names are arrays, values typed as what they look like. */
function addQuery(operation: OperationModel, query: URLSearchParams, credentials: Set<string>, secrets: SecretSet): void {
  for (const [name, values] of grouped([...query])) {
    if (credentials.has(name)) continue;
    addParam(operation.query, name, name, values.map(scalarFromText), secrets);
  }
}

function addHeaders(operation: OperationModel, headers: HeaderList, credentials: Set<string>, secrets: SecretSet): void {
  for (const [name, values] of grouped(headers.map(([key, value]): [string, string] => [key, value]), (key) => key.toLowerCase())) {
    const lower = name.toLowerCase();
    if (credentials.has(lower) || isStandardHeader(lower)) continue;
    addParam(operation.headers, lower, name, [values.join(', ')], secrets);
  }
}

/** Adds one sample of a parameter: its values (several when a query name repeats). */
function addParam(params: Map<string, ParamModel>, key: string, name: string, values: unknown[], secrets: SecretSet): void {
  let param = params.get(key);
  const first = !param;
  if (!param) params.set(key, (param = { name, shape: emptyShape(), count: 0, repeated: false, example: undefined }));
  param.count++;
  if (values.length > 1) param.repeated = true;
  for (const value of values) addSample(param.shape, value, name);
  if (first) param.example = exampleOf(name, values.length > 1 ? values : values[0], secrets);
}

/** A parameter's example value, redacted when its name or value is secret-like. */
function exampleOf(name: string, value: unknown, secrets: SecretSet): unknown {
  const texts = Array.isArray(value) ? value : [value];
  if (isSecretName(name) || texts.some((text) => typeof text === 'string' && looksLikeToken(text))) {
    for (const text of texts) secrets.add(String(text));
    return REDACTED;
  }
  return value;
}

function addContent(contents: Map<string, ContentModel>, mediaType: string, body: ParsedBody | undefined, secrets: SecretSet, options: CollectOptions): void {
  let content = contents.get(mediaType);
  if (!content) contents.set(mediaType, (content = { shape: emptyShape(), kinds: new Set(), hasExample: false }));
  content.kinds.add(body?.kind ?? 'absent');
  let value: unknown;
  if (body?.kind === 'json') value = body.value;
  else if (body?.kind === 'form') {
    const fields: Record<string, unknown> = {};
    for (const [name, values] of grouped(body.fields)) fields[name] = values.length > 1 ? values.map(scalarFromText) : scalarFromText(values[0]!);
    value = fields;
  } else return;
  addSample(content.shape, value);
  // The example is redacted now, but walking it also teaches `secrets` what to scrub elsewhere.
  const example = redactValue(value, secrets, options.maxExampleItems);
  if (!content.hasExample) {
    content.example = example;
    content.hasExample = true;
  }
}

/** Pairs grouped by name (or by `keyOf(name)`), in order of first appearance; the first spelling names the group. */
function grouped(pairs: Array<[string, string]>, keyOf: (name: string) => string = (name) => name): Map<string, string[]> {
  const byKey = new Map<string, { name: string; values: string[] }>();
  for (const [name, value] of pairs) {
    const key = keyOf(name);
    const entry = byKey.get(key);
    if (entry) entry.values.push(value);
    else byKey.set(key, { name, values: [value] });
  }
  return new Map([...byKey.values()].map((entry) => [entry.name, entry.values]));
}
