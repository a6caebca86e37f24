/** Parses `--no-proxy a.example,b.example` (repeatable): host names, commas or spaces between. */
export function parseNoProxy(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(/[\s,]+/).filter(Boolean)];
}
