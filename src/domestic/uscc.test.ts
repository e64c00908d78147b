import { describe, expect, it } from 'vitest';
import { usccCheckCharacter, usccProblem } from './uscc.js';

// Published USCCs: the example in GB 32100-2015 and the codes of well-known companies
// (Huawei, Alibaba (China), Tencent, Xiaomi) as shown on their business licences.
const PUBLISHED = ['91350100M000100Y43', '914403001922038216', '91330100716105852F', '9144030071526726XG', '91110108551385082Q'];

describe('USCC check character (GB 32100-2015)', () => {
  it.each(PUBLISHED)('accepts the published code %s', (code) => {
    expect(usccProblem(code)).toBeNull();
    expect(usccCheckCharacter(code.slice(0, 17))).toBe(code[17]);
  });

  it('refuses every other check character', () => {
    for (const code of PUBLISHED) {
      for (const c of '0123456789ABCDEFGHJKLMNPQRTUWXY') {
        if (c === code[17]) continue;
        expect(usccProblem(code.slice(0, 17) + c)).toMatch(/check character/);
      }
    }
  });

  it('refuses a wrong length, letters outside the alphabet and a non-numeric region code', () => {
    expect(usccProblem('91350100M000100Y4')).toMatch(/18 characters/);
    expect(usccProblem('91350100M000100I43')).toMatch(/outside/);
    expect(usccProblem('913A0100M000100Y43')).toMatch(/outside/);
    expect(usccProblem('91350100m000100y43')).toMatch(/outside/);
    expect(usccCheckCharacter('short')).toBeNull();
  });
});
