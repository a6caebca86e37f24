import { formatOf, type StringFormat } from './formats.js';
import { isSecretName, looksLikeToken } from './secrets.js';

/**
 * What was seen of one JSON value across samples: counts per type, so that `required`,
 * `nullable`, formats and enums are decided once all samples are in. Samples are added with
 * {@link addSample}; {@link toSchema} in `schema.ts` turns the result into a schema.
 *
 * No maintained inference library fitted (genson-js and to-json-schema know neither formats,
 * enums nor OpenAPI's two ways of writing null), so this is a small merger of its own.
 */
export interface Shape {
  /** Samples seen, nulls included. */
  count: number;
  /** Samples that were `null`. */
  nulls: number;
  string?: StringShape;
  integer?: { count: number };
  number?: { count: number };
  boolean?: { count: number };
  object?: ObjectShape;
  array?: ArrayShape;
}

/** Strings seen in one place. */
export interface StringShape {
  count: number;
  /** How many samples had each format. */
  formats: Map<StringFormat, number>;
  /** Distinct values and their counts while there are few (undefined once too many or secret-looking). */
  values: Map<string, number> | undefined;
}

/** Objects seen in one place. */
export interface ObjectShape {
  count: number;
  /** Properties in the order first seen; a property's `count` against `count` decides `required`. */
  properties: Map<string, Shape>;
}

/** Arrays seen in one place. */
export interface ArrayShape {
  count: number;
  /** Every item of every sample. */
  items: Shape;
}

/** How many distinct strings are tracked for an enum before a field counts as free text. */
export const MAX_TRACKED_VALUES = 8;

/** A shape with nothing seen yet. */
export function emptyShape(): Shape {
  return { count: 0, nulls: 0 };
}

/** Adds one sample. `name` is the field's name, so secret fields never keep their values for an enum. */
export function addSample(shape: Shape, value: unknown, name?: string): void {
  shape.count++;
  if (value === null || value === undefined) {
    shape.nulls++;
    return;
  }
  switch (typeof value) {
    case 'string':
      addString(shape, value, name);
      return;
    case 'number':
      if (Number.isInteger(value)) (shape.integer ??= { count: 0 }).count++;
      else (shape.number ??= { count: 0 }).count++;
      return;
    case 'boolean':
      (shape.boolean ??= { count: 0 }).count++;
      return;
    case 'object':
      if (Array.isArray(value)) {
        const array = (shape.array ??= { count: 0, items: emptyShape() });
        array.count++;
        for (const item of value) addSample(array.items, item, name);
        return;
      }
      addObject(shape, value as Record<string, unknown>);
      return;
    default:
      // JSON has no other types; anything else (from a hand-made sample) counts as a string.
      addString(shape, String(value), name);
  }
}

function addString(shape: Shape, value: string, name: string | undefined): void {
  const string = (shape.string ??= { count: 0, formats: new Map(), values: new Map() });
  string.count++;
  const format = formatOf(value);
  if (format) string.formats.set(format, (string.formats.get(format) ?? 0) + 1);
  if (!string.values) return;
  // Secrets and long text never become enum members: an enum would print them.
  if ((name !== undefined && isSecretName(name)) || looksLikeToken(value) || value.length > 40 || format) {
    string.values = undefined;
    return;
  }
  string.values.set(value, (string.values.get(value) ?? 0) + 1);
  if (string.values.size > MAX_TRACKED_VALUES) string.values = undefined;
}

function addObject(shape: Shape, value: Record<string, unknown>): void {
  const object = (shape.object ??= { count: 0, properties: new Map() });
  object.count++;
  for (const [key, item] of Object.entries(value)) {
    let property = object.properties.get(key);
    if (!property) object.properties.set(key, (property = emptyShape()));
    addSample(property, item, key);
  }
}
