import { describe, expect, it } from 'vitest';
import { parseCollection } from './collection-file.js';

const v21 = 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json';

describe('parseCollection', () => {
  it('accepts a v2.1.0 collection with anything else in it', () => {
    const text = JSON.stringify({ info: { name: 'x', schema: v21, custom: 1 }, item: [], variable: [{ key: 'a', value: 'b' }] });
    expect(parseCollection(text, 'x.json')).toMatchObject({ info: { name: 'x', custom: 1 }, variable: [{ key: 'a' }] });
    expect(parseCollection(JSON.stringify({ info: { name: 'x', schema: 'https://schema.postman.com/json/collection/v2.1.0/collection.json' }, item: [] }), 'x.json').info.name).toBe('x');
  });

  it('refuses what it cannot safely append to, in one line naming the file and leaving it untouched', () => {
    const refuse = (text: string) => {
      try {
        parseCollection(text, '/c/x.json');
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    // The plugin's name is added by core's PluginError where the error leaves the plugin (see
    // test/file-safety.test.ts and test/cli.test.ts for the `collections: …` line users see).
    expect(refuse('{"info": \n\n {')).toMatch(/^\/c\/x\.json is not valid JSON \([^\n]+\); capture left it untouched: fix it, move it away, or save to another collection$/);
    expect(refuse('[]')).toContain('is not a Postman collection (it holds a list, not an object)');
    expect(refuse('{"log":{}}')).toContain('is not a Postman collection (it has no "info" object)');
    expect(refuse(JSON.stringify({ info: { name: 'x', schema: 'https://schema.getpostman.com/json/collection/v2.0.0/collection.json' }, item: [] }))).toContain(
      'is a Postman Collection v2.0.0, not v2.1.0 (export it from Postman as Collection v2.1)',
    );
    expect(refuse(JSON.stringify({ info: { name: 'x', schema: v21 }, item: {} }))).toContain('its "item" is not a list');
    expect(refuse(JSON.stringify({ info: { schema: v21 }, item: [] }))).toContain('its "info.name" is not a string');
  });
});
