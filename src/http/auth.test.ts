import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseApiKeys } from '../config.js';
import { Authenticator, unnamedActor } from './auth.js';

const keys = (raw: string) => {
  const problems: string[] = [];
  const parsed = parseApiKeys(raw, problems);
  expect(problems).toEqual([]);
  return parsed;
};

describe('Authenticator', () => {
  const auth = new Authenticator(
    keys('admin@wang.li:admin-token-0123456789,lookup:lookup-token-0123456789,partner-EU:eu-token-0123456789abc,viewer@ops-night:shared-token-0123456789,operator:shared-token-0123456789'),
  );

  it('identifies each token by its name and configured scopes', () => {
    expect(auth.identify('admin-token-0123456789')).toMatchObject({ name: 'wang.li', scopes: ['admin'] });
    expect(auth.identify('eu-token-0123456789abc')?.scopes).toEqual(['partner-EU']);
    // One token, two scopes, one name (given by one of its entries).
    expect(auth.identify('shared-token-0123456789')).toMatchObject({ name: 'ops-night', scopes: ['viewer', 'operator'] });
  });

  it('names a token without a name <scope>#<first 8 hex of its SHA-256>', () => {
    const hex = createHash('sha256').update('lookup-token-0123456789').digest('hex').slice(0, 8);
    expect(auth.identify('lookup-token-0123456789')?.name).toBe(`lookup#${hex}`);
    expect(unnamedActor('partner-EU', 'lookup-token-0123456789')).toBe(`partner-EU#${hex}`);
  });

  it('refuses near misses, prefixes and empty tokens', () => {
    for (const t of ['', 'admin-token-012345678', 'admin-token-01234567890', 'ADMIN-TOKEN-0123456789', 'lookup-token-0123456789 ']) {
      expect(auth.identify(t)).toBeNull();
    }
  });
});
