import { describe, expect, it } from 'vitest';
import { Authenticator } from './auth.js';

describe('Authenticator', () => {
  const auth = new Authenticator([
    { scope: 'admin', token: 'admin-token-0123456789' },
    { scope: 'lookup', token: 'lookup-token-0123456789' },
    { scope: 'partner-EU', token: 'eu-token-0123456789abc' },
  ]);

  it('identifies each token by its scope', () => {
    expect(auth.identify('admin-token-0123456789')).toBe('admin');
    expect(auth.identify('lookup-token-0123456789')).toBe('lookup');
    expect(auth.identify('eu-token-0123456789abc')).toBe('partner-EU');
  });

  it('refuses near misses, prefixes and empty tokens', () => {
    for (const t of ['', 'admin-token-012345678', 'admin-token-01234567890', 'ADMIN-TOKEN-0123456789', 'lookup-token-0123456789 ']) {
      expect(auth.identify(t)).toBeNull();
    }
  });
});
