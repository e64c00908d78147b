import { describe, expect, it } from 'vitest';
import { can } from './scopes';
import { stageStates } from './stages';

describe('console actions by scope (contract section 2)', () => {
  it('offers each action only to the scopes that may do it', () => {
    expect(can(['viewer'], 'read')).toBe(true);
    expect(can(['viewer'], 'operate')).toBe(false);
    expect(can(['viewer'], 'download')).toBe(false);
    expect(can(['operator'], 'operate')).toBe(true);
    expect(can(['operator'], 'download')).toBe(true);
    expect(can(['operator'], 'admin')).toBe(false);
    expect(can(['admin'], 'admin')).toBe(true);
    expect(can(['lookup'], 'read')).toBe(false);
    expect(can(['metrics'], 'read')).toBe(false);
  });
});

describe('pipeline stages of a run', () => {
  it('marks where a rejected run stopped and skips the rest', () => {
    const s = stageStates('REJECTED', 'SCHEMA_INVALID');
    expect(s.find((x) => x.stage === 'parse')?.state).toBe('done');
    expect(s.find((x) => x.stage === 'validate')?.state).toBe('stopped');
    expect(s.find((x) => x.stage === 'publish')?.state).toBe('skipped');
  });

  it('shows an applied run done throughout', () => {
    expect(stageStates('APPLIED', null).every((x) => x.state === 'done')).toBe(true);
  });
});
