import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const KEYS = 'admin:aaaaaaaaaaaaaaaaaaaa,lookup:bbbbbbbbbbbbbbbbbbbb';

describe('loadConfig', () => {
  it('applies the contract defaults and freezes the result', () => {
    const c = loadConfig({ AEO_API_KEYS: KEYS }, '/srv/gw');
    expect(c).toMatchObject({
      port: 8080,
      databaseUrl: null,
      dataDir: '/srv/gw/data',
      sandbox: false,
      timeZone: 'Asia/Shanghai',
      partnersDir: '/srv/gw/partners',
      schemasDir: '/srv/gw/schemas',
      certsDir: '/srv/gw/certs',
      logLevel: 'info',
    });
    expect(c.apiKeys.map((k) => k.scope)).toEqual(['admin', 'lookup']);
    expect(Object.isFrozen(c)).toBe(true);
    expect(() => {
      (c as { port: number }).port = 1;
    }).toThrow();
  });

  it('reports every bad setting at once, without echoing tokens', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        AEO_SANDBOX: 'yes',
        AEO_API_KEYS: 'root:supersecretsupersecret,lookup:short',
        AEO_TIMEZONE: 'Mars/Olympus',
        LOG_LEVEL: 'loud',
        AEO_SIGNING_KEY_FILE: '/k.pem',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    for (const name of ['PORT', 'DATABASE_URL', 'AEO_SANDBOX', 'AEO_API_KEYS entry 1', 'AEO_API_KEYS entry 2', 'AEO_TIMEZONE', 'LOG_LEVEL', 'AEO_SIGNING_CERT_FILE']) {
      expect(problems.some((p) => p.includes(name)), name).toBe(true);
    }
    expect((error as Error).message).not.toContain('supersecret');
  });

  it('requires API keys outside sandbox mode only', () => {
    expect(() => loadConfig({})).toThrow(/AEO_API_KEYS is required/);
    expect(loadConfig({ AEO_SANDBOX: 'true' }).apiKeys).toEqual([]);
    expect(loadConfig({}, '/', { requireApiKeys: false }).sandbox).toBe(false);
  });

  it('reads secrets from *_FILE variables, and refuses both forms at once', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'aeo-cfg-'));
    const file = path.join(dir, 'keys');
    writeFileSync(file, `${KEYS}\n`);
    expect(loadConfig({ AEO_API_KEYS_FILE: file }).apiKeys).toHaveLength(2);
    expect(() => loadConfig({ AEO_API_KEYS_FILE: file, AEO_API_KEYS: KEYS })).toThrow(/both set/);
    expect(() => loadConfig({ AEO_API_KEYS_FILE: path.join(dir, 'missing') })).toThrow(/cannot read/);
  });

  it('reads scope@name:token entries, the new scopes, and one token with several scopes', () => {
    const c = loadConfig({
      AEO_API_KEYS: 'admin@wang.li:aaaaaaaaaaaaaaaaaaaa,viewer@ops-night:bbbbbbbbbbbbbbbbbbbb,operator:bbbbbbbbbbbbbbbbbbbb,metrics:cccccccccccccccccccc,lookup:dddddddddddddddddddd',
    });
    expect(c.apiKeys.map((k) => [k.scope, k.name])).toEqual([
      ['admin', 'wang.li'],
      ['viewer', 'ops-night'],
      ['operator', null],
      ['metrics', null],
      ['lookup', null],
    ]);
  });

  it('refuses a token listed twice with one scope, a shared token with two names, and bad names', () => {
    expect(() => loadConfig({ AEO_API_KEYS: 'admin:aaaaaaaaaaaaaaaaaaaa,admin:aaaaaaaaaaaaaaaaaaaa' })).toThrow(/used twice with the scope admin/);
    expect(() => loadConfig({ AEO_API_KEYS: 'admin@a:aaaaaaaaaaaaaaaaaaaa,lookup@b:aaaaaaaaaaaaaaaaaaaa' })).toThrow(/two different names/);
    for (const bad of ['admin@:aaaaaaaaaaaaaaaaaaaa', 'admin@wang li:aaaaaaaaaaaaaaaaaaaa', `admin@${'x'.repeat(65)}:aaaaaaaaaaaaaaaaaaaa`]) {
      expect(() => loadConfig({ AEO_API_KEYS: bad })).toThrow(/the name after @/);
    }
    expect(() => loadConfig({ AEO_API_KEYS: 'root@wang.li:aaaaaaaaaaaaaaaaaaaa' })).toThrow(/scope must be admin, lookup, viewer, operator, metrics/);
  });

  it('reads AEO_MESSAGE_RETENTION_DAYS (default 400, fractions allowed) and refuses nonsense', () => {
    expect(loadConfig({ AEO_API_KEYS: KEYS }).messageRetentionDays).toBe(400);
    expect(loadConfig({ AEO_API_KEYS: KEYS, AEO_MESSAGE_RETENTION_DAYS: '30' }).messageRetentionDays).toBe(30);
    expect(loadConfig({ AEO_API_KEYS: KEYS, AEO_MESSAGE_RETENTION_DAYS: '0.5' }).messageRetentionDays).toBe(0.5);
    for (const bad of ['0', '-1', 'ten', '1e3', '99999']) {
      expect(() => loadConfig({ AEO_API_KEYS: KEYS, AEO_MESSAGE_RETENTION_DAYS: bad })).toThrow(/AEO_MESSAGE_RETENTION_DAYS/);
    }
  });
});
