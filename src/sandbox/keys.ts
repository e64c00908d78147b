// Sandbox API keys: generated on first start into AEO_DATA_DIR/sandbox-keys.json (mode 0600), reused after.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseApiKeys, type ApiKey } from '../config.js';

export function sandboxKeysFile(dataDir: string): string {
  return path.join(dataDir, 'sandbox-keys.json');
}

export function ensureSandboxKeys(dataDir: string, partnerCodes: readonly string[]): { file: string; keys: ApiKey[] } {
  const file = sandboxKeysFile(dataDir);
  const wanted = ['admin', 'operator', 'viewer', 'lookup', 'metrics', ...partnerCodes.map((c) => `partner-${c}`)];
  let stored: Record<string, string> = {};
  if (existsSync(file)) stored = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  let changed = false;
  for (const scope of wanted) {
    if (typeof stored[scope] !== 'string') {
      stored[scope] = randomBytes(24).toString('base64url');
      changed = true;
    }
  }
  if (changed) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(stored, null, 2) + '\n', { mode: 0o600 });
  }
  chmodSync(file, 0o600);
  const problems: string[] = [];
  const keys = parseApiKeys(
    Object.entries(stored).map(([scope, token]) => `${scope}:${token}`).join(','),
    problems,
  );
  if (problems.length > 0) throw new Error(`${file} is invalid: ${problems.join('; ')}`);
  return { file, keys };
}
