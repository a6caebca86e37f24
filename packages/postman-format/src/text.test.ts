import { describe, expect, it } from 'vitest';
import { bodyText, isTextType, languageOf, mediaType } from './text.js';

describe('text helpers', () => {
  it('parses content types leniently', () => {
    expect(mediaType('Application/JSON; charset=UTF-8')).toEqual({ type: 'application/json', parameters: { charset: 'UTF-8' } });
    expect(mediaType('text/html;;bad')).toEqual({ type: 'text/html', parameters: {} });
    expect(mediaType(undefined).type).toBe('');
  });

  it('tells text from binary', () => {
    expect(isTextType('application/vnd.api+json')).toBe(true);
    expect(isTextType('image/svg+xml')).toBe(true);
    expect(isTextType('image/png')).toBe(false);
    expect(bodyText(Buffer.from([0xff, 0xfe, 0]), undefined)).toBeUndefined();
    expect(bodyText(Buffer.from('hi'), 'text/plain; charset=no-such-charset')).toBe('hi');
  });

  it('maps media types to editor languages', () => {
    expect(['application/problem+json', 'text/html', 'text/xml', 'application/javascript', 'text/csv'].map(languageOf)).toEqual(['json', 'html', 'xml', 'javascript', 'text']);
  });
});
