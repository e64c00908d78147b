// A new agreement (CN-XK) for registry tests: the shape of a real one from partners/agreements.json.
import { readFileSync } from 'node:fs';

const fileData = JSON.parse(readFileSync(new URL('../../partners/agreements.json', import.meta.url), 'utf8')) as {
  agreements: Record<string, unknown>[];
};

export const newAgreement = {
  ...(fileData.agreements.find((a) => a.id === 'CN-IS') as Record<string, unknown>),
  id: 'CN-XK',
  partner: 'XK',
  name: 'China–Example AEO mutual recognition',
  economies: ['XK'],
  inForceOn: '2026-01-01',
  declaredCode: { pattern: '^XK\\d{8}$', example: 'XK12345678', generic: false, aliasPatterns: [] },
  sources: ['GACC Announcement 2026 No.1 (test)'],
};
