import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PluginError } from './errors.js';
import { invalidOptions, validatePluginOptions } from './plugin-options.js';

const schema = z.strictObject({ port: z.number().int().default(8080), include: z.array(z.string()).default([]) });

describe('validatePluginOptions', () => {
  it('returns the parsed options with defaults', () => {
    expect(validatePluginOptions('web', schema, undefined)).toEqual({ port: 8080, include: [] });
    expect(validatePluginOptions('web', schema, { port: 1 })).toEqual({ port: 1, include: [] });
  });
  it('names the plugin and every bad option in one line', () => {
    let error: unknown;
    try {
      validatePluginOptions('web', schema, { port: 'x', include: [1] });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PluginError);
    expect(error).toMatchObject({ plugin: 'web', hook: 'options', code: 'CONFIG_INVALID' });
    expect((error as Error).message).toMatch(/^web: option "port": .*; option "include\[0\]": /);
    expect((error as Error).message).not.toContain('\n');
  });
  it('lists the known options for a misspelt one, and refuses non-objects', () => {
    expect(() => validatePluginOptions('web', schema, { prot: 1 })).toThrow('web: unknown option "prot" (known: port, include)');
    expect(() => validatePluginOptions('web', schema, [])).toThrow('web: expected an options object, got []');
  });
  it('words other option errors the same way', () => {
    expect(invalidOptions('https', 'certificate missing').message).toBe('https: certificate missing');
  });
});
