import { describe, expect, it } from 'vitest';
import { identifierKind, paramNameFor, templatePath } from './path-template.js';

describe('templatePath', () => {
  it('names parameters from the segment before them', () => {
    expect(templatePath('/users/42/orders/3f6c2a9e-8b1d-4c7a-9e2f-5d4b3a2c1e0f').template).toBe('/users/{userId}/orders/{orderId}');
    expect(templatePath('/v1/categories/7').template).toBe('/v1/categories/{categoryId}');
    expect(templatePath('/line-items/5f1e2d3c4b5a69788796a5b4').template).toBe('/line-items/{lineItemId}');
    expect(templatePath('/addresses/9').template).toBe('/addresses/{addressId}');
  });

  it('numbers repeated names and uses id when nothing names it', () => {
    expect(templatePath('/42').template).toBe('/{id}');
    expect(templatePath('/pairs/1/2').template).toBe('/pairs/{pairId}/{id}');
    expect(templatePath('/a/1/a/2').template).toBe('/a/{aId}/a/{aId2}');
  });

  it('keeps words, and classifies identifiers for their schema', () => {
    expect(templatePath('/users/me').template).toBe('/users/me');
    expect(identifierKind('42')).toBe('integer');
    expect(identifierKind('3F6C2A9E-8B1D-4C7A-9E2F-5D4B3A2C1E0F')).toBe('uuid');
    expect(identifierKind('01ARZ3NDEKTSV4RRFFQ69G5FAV')).toBe('string');
    expect(identifierKind('deadbeef')).toBeUndefined();
    expect(identifierKind('v2')).toBeUndefined();
  });

  it('makes plain singulars', () => {
    expect(paramNameFor('users')).toBe('userId');
    expect(paramNameFor('boxes')).toBe('boxId');
    expect(paramNameFor('status')).toBe('statusId');
    expect(paramNameFor('user_accounts')).toBe('userAccountId');
  });
});
