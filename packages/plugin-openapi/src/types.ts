/**
 * The parts of an OpenAPI document the generator writes. Every object also allows other keys,
 * since a document passed to `--merge` may hold anything the specification allows.
 */

/** `3.1` writes OpenAPI 3.1.0 (JSON Schema 2020-12 nulls); `3.0` writes 3.0.3 (`nullable`) for older tools. */
export type OpenApiVersion = '3.1' | '3.0';

/** A schema object (the subset inferred, plus whatever a user wrote). */
export interface SchemaObject {
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  nullable?: boolean;
  properties?: Record<string, SchemaObject>;
  required?: string[];
  items?: SchemaObject;
  anyOf?: SchemaObject[];
  description?: string;
  $ref?: string;
  [key: string]: unknown;
}

/** A media type object. */
export interface MediaTypeObject {
  schema?: SchemaObject;
  example?: unknown;
  [key: string]: unknown;
}

/** A parameter object. */
export interface ParameterObject {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: SchemaObject;
  example?: unknown;
  description?: string;
  [key: string]: unknown;
}

/** A response object. */
export interface ResponseObject {
  description: string;
  content?: Record<string, MediaTypeObject>;
  [key: string]: unknown;
}

/** An operation object. */
export interface OperationObject {
  tags?: string[];
  summary?: string;
  description?: string;
  operationId?: string;
  parameters?: ParameterObject[];
  requestBody?: { required?: boolean; content: Record<string, MediaTypeObject>; [key: string]: unknown };
  responses: Record<string, ResponseObject>;
  security?: Array<Record<string, string[]>>;
  [key: string]: unknown;
}

/** The HTTP methods OpenAPI has operations for, in the order they are written. */
export const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** One of {@link METHODS}. */
export type Method = (typeof METHODS)[number];

/** A path item object. */
export type PathItemObject = { [M in Method]?: OperationObject } & {
  servers?: ServerObject[];
  parameters?: ParameterObject[];
  summary?: string;
  description?: string;
  [key: string]: unknown;
};

/** A server object. */
export interface ServerObject {
  url: string;
  description?: string;
  [key: string]: unknown;
}

/** A security scheme object. */
export interface SecuritySchemeObject {
  type: 'http' | 'apiKey' | 'oauth2' | 'openIdConnect' | 'mutualTLS';
  scheme?: string;
  bearerFormat?: string;
  in?: 'header' | 'query' | 'cookie';
  name?: string;
  description?: string;
  [key: string]: unknown;
}

/** An OpenAPI document. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string; [key: string]: unknown };
  servers?: ServerObject[];
  tags?: Array<{ name: string; description?: string; [key: string]: unknown }>;
  paths: Record<string, PathItemObject>;
  components?: { securitySchemes?: Record<string, SecuritySchemeObject>; schemas?: Record<string, SchemaObject>; [key: string]: unknown };
  [key: string]: unknown;
}
