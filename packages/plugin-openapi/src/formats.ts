/** The string formats the inferrer recognises (JSON Schema / OpenAPI names). */
export type StringFormat = 'date-time' | 'date' | 'email' | 'uuid' | 'uri';

const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})$/;
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const URI = /^[a-z][a-z0-9+.-]*:\/\/[^\s]+$/i;

/** The format a string has, if it has one of {@link StringFormat}; a format holds for a field only when every sample has it. */
export function formatOf(value: string): StringFormat | undefined {
  if (UUID.test(value)) return 'uuid';
  if (DATE_TIME.test(value) && !Number.isNaN(Date.parse(value.replace(' ', 'T')))) return 'date-time';
  if (DATE.test(value)) return 'date';
  if (EMAIL.test(value)) return 'email';
  if (URI.test(value)) return 'uri';
  return undefined;
}
