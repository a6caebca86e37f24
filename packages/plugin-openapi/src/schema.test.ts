import { describe, expect, it } from 'vitest';
import { toSchema } from './schema.js';
import { addSample, emptyShape } from './shape.js';

function infer(samples: unknown[], version: '3.1' | '3.0' = '3.1') {
  const shape = emptyShape();
  for (const sample of samples) addSample(shape, sample);
  return toSchema(shape, version);
}

describe('schema inference', () => {
  it('marks as required only what every sample has, and nests', () => {
    expect(infer([{ a: 1, b: { c: 'x' } }, { a: 2 }])).toEqual({
      type: 'object',
      properties: { a: { type: 'integer' }, b: { type: 'object', properties: { c: { type: 'string' } }, required: ['c'] } },
      required: ['a'],
    });
  });

  it('writes null the 3.1 way and the 3.0 way', () => {
    expect(infer([{ n: null }, { n: 'x' }]).properties!.n).toEqual({ type: ['string', 'null'] });
    expect(infer([{ n: null }, { n: 'x' }], '3.0').properties!.n).toEqual({ type: 'string', nullable: true });
    expect(infer([null])).toEqual({ type: 'null' });
  });

  it('widens integers to numbers and uses anyOf for mixed types', () => {
    expect(infer([1, 2.5])).toEqual({ type: 'number' });
    expect(infer([1, 'a'])).toEqual({ anyOf: [{ type: 'string' }, { type: 'integer' }] });
  });

  it('finds formats only when every sample has them', () => {
    expect(infer(['2024-06-01T10:00:00Z', '2024-06-02T11:00:00.123+02:00'])).toEqual({ type: 'string', format: 'date-time' });
    expect(infer(['2024-06-01'])).toEqual({ type: 'string', format: 'date' });
    expect(infer(['ann@example.test'])).toEqual({ type: 'string', format: 'email' });
    expect(infer(['3f6c2a9e-8b1d-4c7a-9e2f-5d4b3a2c1e0f'])).toEqual({ type: 'string', format: 'uuid' });
    expect(infer(['https://example.test/a'])).toEqual({ type: 'string', format: 'uri' });
    expect(infer(['https://example.test/a', 'not a uri'])).toEqual({ type: 'string' });
  });

  it('makes enums of small repeated string sets only', () => {
    expect(infer(['open', 'shipped', 'open', 'shipped'])).toEqual({ type: 'string', enum: ['open', 'shipped'] });
    expect(infer(['Ann', 'Bob', 'Cleo'])).toEqual({ type: 'string' });
    expect(infer(['one'])).toEqual({ type: 'string' });
    // Secret-named fields never list their values.
    expect(infer([{ password: 'a' }, { password: 'b' }, { password: 'a' }, { password: 'b' }]).properties!.password).toEqual({ type: 'string' });
  });

  it('merges array items over all samples', () => {
    expect(infer([[{ id: 1 }], [{ id: 2, x: true }], []])).toEqual({
      type: 'array',
      items: { type: 'object', properties: { id: { type: 'integer' }, x: { type: 'boolean' } }, required: ['id'] },
    });
    expect(infer([[]])).toEqual({ type: 'array', items: {} });
  });
});
