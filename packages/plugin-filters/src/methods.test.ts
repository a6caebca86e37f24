import { describe, expect, it } from 'vitest';
import { parseMethods } from './methods.js';

describe('parseMethods', () => {
  it.each([
    ['GET,POST', ['GET', 'POST']],
    [' get ,  Post\t', ['GET', 'POST']],
    ['delete', ['DELETE']],
    [['get', ' PATCH '], ['GET', 'PATCH']],
    [['GET, put', 'options'], ['GET', 'PUT', 'OPTIONS']],
    ['GET,get', ['GET']],
    [[], []],
  ])('reads %j as %j', (value, methods) => {
    expect(parseMethods(value)).toEqual(methods);
  });

  it.each([
    ['GET,,POST', 'empty method in "GET,,POST"'],
    ['', 'empty method in ""'],
    ['GET,', 'empty method in "GET,"'],
    [['GET', ' '], 'empty method in " "'],
    ['GE T', '"GE T" is not an HTTP method'],
    ['GET;POST', '"GET;POST" is not an HTTP method'],
    [['GET', 3], 'expected method names, got 3'],
    [true, 'expected a comma-separated string or a list of methods, got true'],
  ])('rejects %j: %s', (value, message) => {
    expect(parseMethods(value)).toBe(message);
  });
});
