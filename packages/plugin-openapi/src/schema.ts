import { MAX_TRACKED_VALUES, type Shape, type StringShape } from './shape.js';
import type { OpenApiVersion, SchemaObject } from './types.js';

/**
 * The schema for what a {@link Shape} saw: one type (or `anyOf` when samples disagree), nested
 * objects and arrays, `required` for properties present in every sample, null as 3.1 writes it
 * (`type: [string, 'null']`) or as 3.0 does (`nullable: true`), formats every sample had, and an
 * enum for a small set of strings that repeat.
 */
export function toSchema(shape: Shape, version: OpenApiVersion): SchemaObject {
  const kinds = kindSchemas(shape, version);
  const nullable = shape.nulls > 0;
  if (!kinds.length) {
    if (!nullable) return {};
    return version === '3.1' ? { type: 'null' } : { nullable: true };
  }
  if (kinds.length === 1) return nullable ? withNull(kinds[0]!, version) : kinds[0]!;
  if (version === '3.1') return { anyOf: nullable ? [...kinds, { type: 'null' }] : kinds };
  return { anyOf: nullable ? kinds.map((kind) => ({ ...kind, nullable: true })) : kinds };
}

/** One schema per JSON type seen, in a fixed order so output is stable. */
function kindSchemas(shape: Shape, version: OpenApiVersion): SchemaObject[] {
  const out: SchemaObject[] = [];
  if (shape.object) {
    const properties: Record<string, SchemaObject> = {};
    const required: string[] = [];
    for (const [key, property] of shape.object.properties) {
      properties[key] = toSchema(property, version);
      if (property.count === shape.object.count) required.push(key);
    }
    out.push({ type: 'object', properties, ...(required.length ? { required } : {}) });
  }
  if (shape.array) out.push({ type: 'array', items: shape.array.items.count ? toSchema(shape.array.items, version) : {} });
  if (shape.string) out.push(stringSchema(shape.string));
  // An integer field that once held 1.5 is a number.
  if (shape.number) out.push({ type: 'number' });
  else if (shape.integer) out.push({ type: 'integer' });
  if (shape.boolean) out.push({ type: 'boolean' });
  return out;
}

function stringSchema(string: StringShape): SchemaObject {
  const schema: SchemaObject = { type: 'string' };
  for (const [format, count] of string.formats) {
    if (count === string.count) schema.format = format;
  }
  const values = string.values;
  // Small and repeated: at least two values, each seen twice on average.
  if (!schema.format && values && values.size >= 2 && values.size <= MAX_TRACKED_VALUES && string.count >= 2 * values.size) {
    schema.enum = [...values.keys()].sort();
  }
  return schema;
}

function withNull(schema: SchemaObject, version: OpenApiVersion): SchemaObject {
  const out: SchemaObject = version === '3.0' ? { ...schema, nullable: true } : { ...schema, type: [schema.type as string, 'null'] };
  // An enum lists every allowed value (in 3.0 too, since 3.0.3), so null must be one of them.
  if (out.enum) out.enum = [...out.enum, null];
  return out;
}
