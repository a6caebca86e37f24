import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generateOpenApi, mergeOpenApi, renderOpenApi, type OpenApiDocument, type SchemaObject } from '../src/index.js';
import { SECRETS, shopTraffic } from './fixtures/shop-api.js';
import { postmanSchemaErrors, toPostman } from './helpers/postman.js';

const generate = (version: '3.1' | '3.0' = '3.1') => generateOpenApi(shopTraffic(), { openapi: version }).document;
const validate = (document: OpenApiDocument) => SwaggerParser.validate(structuredClone(document) as never);
const responseSchema = (document: OpenApiDocument, path: string, method: 'get' | 'post' | 'patch', status: string) =>
  document.paths[path]![method]!.responses[status]!.content!['application/json']!.schema!;

describe('the document for a recorded shop API', () => {
  it('validates as OpenAPI 3.1 and as 3.0.3', async () => {
    await expect(validate(generate('3.1'))).resolves.toBeTruthy();
    await expect(validate(generate('3.0'))).resolves.toBeTruthy();
    expect(generate('3.0').openapi).toBe('3.0.3');
    expect(generate().openapi).toBe('3.1.0');
  });

  it('templates each path exactly once, with typed path parameters', () => {
    const document = generate();
    expect(Object.keys(document.paths)).toEqual([
      '/v1/login',
      '/v1/products',
      '/v1/products/{productId}',
      '/v1/products/{productId}/reviews',
      '/v1/users',
      '/v1/users/{userId}',
      '/v1/users/{userId}/orders',
      '/v1/users/{userId}/orders/{orderId}',
    ]);
    expect(document.paths['/v1/users/{userId}']!.parameters).toEqual([{ name: 'userId', in: 'path', required: true, schema: { type: 'integer' }, example: 1 }]);
    expect(document.paths['/v1/users/{userId}/orders/{orderId}']!.parameters![1]!.schema).toEqual({ type: 'string', format: 'uuid' });
    expect(document.paths['/v1/products/{productId}']!.parameters![0]!.schema).toEqual({ type: 'string' });
    expect(Object.keys(document.paths['/v1/users/{userId}']!)).toEqual(['parameters', 'get', 'patch']);
    expect(document.servers).toEqual([{ url: 'https://api.acme-shop.test' }]);
  });

  it('gives stable operation ids and tags by resource', () => {
    const document = generate();
    expect(document.paths['/v1/users/{userId}/orders']!.post!.operationId).toBe('postV1UsersByUserIdOrders');
    expect(document.paths['/v1/users/{userId}/orders']!.post!.tags).toEqual(['users']);
    expect(document.tags).toEqual([{ name: 'login' }, { name: 'products' }, { name: 'users' }]);
  });

  it('holds every field seen, with required, nullable, formats and enums', () => {
    const document = generate();
    const user = responseSchema(document, '/v1/users/{userId}', 'get', '200');
    expect(Object.keys(user.properties!)).toEqual(['id', 'email', 'name', 'role', 'created_at', 'birthday', 'nickname', 'address', 'avatar_url']);
    expect(user.required).not.toContain('avatar_url');
    expect(user.properties!.nickname).toEqual({ type: ['string', 'null'] });
    expect(user.properties!.email).toEqual({ type: 'string', format: 'email' });
    expect(user.properties!.created_at!.format).toBe('date-time');
    expect(user.properties!.birthday!.format).toBe('date');
    expect(user.properties!.avatar_url!.format).toBe('uri');
    expect(user.properties!.address!.required).toEqual(['street', 'city', 'zip']);
    const orders = responseSchema(document, '/v1/users/{userId}/orders', 'get', '200');
    expect(orders.items!.properties!.status).toEqual({ type: 'string', enum: ['open', 'shipped'] });
    expect(orders.items!.properties!.id!.format).toBe('uuid');
    expect((orders.items!.properties!.items as SchemaObject).items!.required).toEqual(['sku', 'quantity', 'price']);

    const post = document.paths['/v1/users/{userId}/orders']!.post!;
    expect(Object.keys(post.responses)).toEqual(['201', '422']);
    const body = post.requestBody!.content['application/json']!.schema!;
    expect(Object.keys(body.properties!)).toEqual(['items', 'coupon', 'note']);
    expect(body.required).toEqual(['items']);
    expect(post.parameters).toEqual([{ name: 'Idempotency-Key', in: 'header', required: true, schema: { type: 'string' }, example: 'idem-0001' }]);
    expect(responseSchema(document, '/v1/users/{userId}/orders', 'post', '422').properties!.fields).toBeDefined();
    expect(document.paths['/v1/users/{userId}/orders/{orderId}']!.delete!.responses['204']).toEqual({ description: 'No Content' });
  });

  it('reads form bodies and types query parameters', () => {
    const document = generate();
    const login = document.paths['/v1/login']!.post!.requestBody!.content['application/x-www-form-urlencoded']!;
    expect(login.schema).toEqual({
      type: 'object',
      properties: { username: { type: 'string', format: 'email' }, password: { type: 'string' }, remember: { type: 'boolean' } },
      required: ['username', 'password'],
    });
    expect(login.example).toEqual({ username: 'ann@acme-shop.test', password: '<redacted>', remember: true });
    const users = document.paths['/v1/users']!.get!.parameters!;
    expect(users.map(({ name, required, schema }) => ({ name, required, schema }))).toEqual([
      { name: 'page', required: true, schema: { type: 'integer' } },
      { name: 'per_page', required: true, schema: { type: 'integer' } },
    ]);
    const products = document.paths['/v1/products']!.get!.parameters!;
    expect(products.map(({ name, required, schema }) => ({ name, required, schema }))).toEqual([
      { name: 'category', required: true, schema: { type: 'string' } },
      { name: 'limit', required: undefined, schema: { type: 'integer' } },
      { name: 'sort', required: undefined, schema: { type: 'string' } },
    ]);
    const status = document.paths['/v1/users/{userId}/orders']!.get!.parameters![0]!;
    expect(status.schema).toEqual({ type: 'array', items: { type: 'string' } });
    expect(status.example).toEqual(['open']);
  });

  it('detects security schemes and keeps no secret anywhere', () => {
    const document = generate();
    expect(document.components!.securitySchemes).toEqual({
      'api_key-query': { type: 'apiKey', in: 'query', name: 'api_key' },
      bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      'sid-cookie': { type: 'apiKey', in: 'cookie', name: 'sid' },
      'x-api-key-header': { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
    });
    expect(document.paths['/v1/users']!.get!.security).toEqual([{ bearerAuth: [] }]);
    expect(document.paths['/v1/login']!.post!.security).toEqual([{ 'sid-cookie': [] }, {}]);
    // The API key in the query is a scheme, not a parameter.
    expect(document.paths['/v1/products/{productId}/reviews']!.get!.parameters).toBeUndefined();
    for (const format of ['yaml', 'json'] as const) {
      for (const version of ['3.1', '3.0'] as const) {
        const text = renderOpenApi(generate(version), format);
        for (const [name, secret] of Object.entries(SECRETS)) {
          expect(text.includes(secret), `${name} in ${format} ${version}`).toBe(false);
          expect(text.includes(decodeURIComponent(secret)), `${name} (decoded) in ${format} ${version}`).toBe(false);
        }
        expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
      }
    }
  });

  it('gives the same bytes for the same traffic, in any order', () => {
    const first = renderOpenApi(generate(), 'yaml');
    expect(renderOpenApi(generate(), 'yaml')).toBe(first);
    const shuffled = shopTraffic().reverse();
    expect(renderOpenApi(generateOpenApi(shuffled).document, 'yaml')).toBe(first);
    expect(parse(first)).toEqual(generate());
  });

  it('converts to a Postman collection that validates against the v2.1.0 schema', async () => {
    for (const version of ['3.1', '3.0'] as const) {
      const collection = await toPostman(renderOpenApi(generate(version), 'json'));
      expect(postmanSchemaErrors(collection), version).toEqual([]);
      expect(JSON.stringify(collection)).toContain('users');
    }
  });
});

describe('merging into an edited document', () => {
  it('keeps descriptions, summaries and renamed parameters, adds what is new and reports drift', async () => {
    const earlier = shopTraffic().filter((exchange) => !exchange.request.url.includes('/products') && exchange.request.method !== 'PATCH');
    const edited = generateOpenApi(earlier).document;
    // The user's edits: a description, a summary, a renamed path parameter and a field the API dropped since.
    edited.info.description = 'The Acme shop API, as the iOS app uses it.';
    const item = edited.paths['/v1/users/{userId}']!;
    delete edited.paths['/v1/users/{userId}'];
    item.parameters![0]!.name = 'id';
    item.parameters![0]!.description = 'The user\'s number.';
    item.get!.summary = 'Get one user';
    item.get!.description = 'Returns the user with their address.';
    const user = item.get!.responses['200']!.content!['application/json']!.schema!;
    user.properties!.legacy_flag = { type: 'boolean' };
    edited.paths['/v1/users/{id}'] = item;

    const { document, drift } = mergeOpenApi(parse(renderOpenApi(edited, 'yaml')) as OpenApiDocument, generate());
    await expect(validate(document)).resolves.toBeTruthy();
    expect(document.info.description).toBe('The Acme shop API, as the iOS app uses it.');
    expect(document.paths['/v1/users/{userId}']).toBeUndefined();
    const merged = document.paths['/v1/users/{id}']!;
    expect(merged.get!.summary).toBe('Get one user');
    expect(merged.get!.description).toBe('Returns the user with their address.');
    expect(merged.parameters).toEqual([{ name: 'id', in: 'path', required: true, schema: { type: 'integer' }, example: 1, description: 'The user\'s number.' }]);
    expect(merged.patch!.operationId).toBe('patchV1UsersByUserId');
    expect(document.paths['/v1/products']).toBeDefined();
    expect(drift.newOperations).toEqual(['GET /v1/products', 'GET /v1/products/{productId}', 'GET /v1/products/{productId}/reviews', 'PATCH /v1/users/{id}']);
    expect(drift.goneFields).toEqual(['GET /v1/users/{id} 200 application/json: legacy_flag']);
    expect(document.components!.securitySchemes!['x-api-key-header']).toBeDefined();
  });

  it('reports new fields inside existing operations', () => {
    const before = generateOpenApi(shopTraffic().slice(2, 3)).document;
    const { drift } = mergeOpenApi(before, generateOpenApi(shopTraffic().slice(2, 4)).document);
    expect(drift.newOperations).toEqual([]);
    expect(drift.newFields).toEqual([]);
    const withoutAvatar = generateOpenApi(shopTraffic().slice(3, 4)).document;
    const added = mergeOpenApi(withoutAvatar, generateOpenApi(shopTraffic().slice(2, 4)).document);
    expect(added.drift.newFields).toEqual(['GET /v1/users/{userId} 200 application/json: avatar_url']);
  });
});
