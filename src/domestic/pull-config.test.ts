import { describe, expect, it } from 'vitest';
import { DEFAULT_DOMESTIC_MAX_BYTES, parseDomesticPull } from './pull-config.js';

const parse = (env: Record<string, string>) => {
  const problems: string[] = [];
  return { value: parseDomesticPull(env, problems), problems };
};

describe('AEO_DOMESTIC_URL / AEO_DOMESTIC_SCHEDULE', () => {
  it('is off when neither is set', () => {
    expect(parse({})).toEqual({ value: null, problems: [] });
  });

  it('reads a URL, a schedule and the default size limit', () => {
    expect(parse({ AEO_DOMESTIC_URL: 'https://credit.customs.example/register.csv', AEO_DOMESTIC_SCHEDULE: '0 1 * * *' })).toEqual({
      value: { url: 'https://credit.customs.example/register.csv', schedule: '0 1 * * *', maxBytes: DEFAULT_DOMESTIC_MAX_BYTES },
      problems: [],
    });
    expect(parse({ AEO_DOMESTIC_URL: 'http://10.0.0.5/r', AEO_DOMESTIC_SCHEDULE: '*/5 * * * * *', AEO_DOMESTIC_MAX_BYTES: '1000' }).value?.maxBytes).toBe(1000);
  });

  it('names every bad setting', () => {
    expect(parse({ AEO_DOMESTIC_SCHEDULE: '0 1 * * *' }).problems).toEqual([expect.stringMatching(/without AEO_DOMESTIC_URL/)]);
    expect(parse({ AEO_DOMESTIC_URL: 'https://x.example/r' }).problems).toEqual([expect.stringMatching(/needs AEO_DOMESTIC_SCHEDULE/)]);
    const bad = parse({ AEO_DOMESTIC_URL: 'ftp://x.example/r', AEO_DOMESTIC_SCHEDULE: 'nightly', AEO_DOMESTIC_MAX_BYTES: '-3' }).problems;
    expect(bad).toHaveLength(3);
    expect(bad.join('\n')).toMatch(/http:\/\/ or https:\/\/[\s\S]*node-cron[\s\S]*AEO_DOMESTIC_MAX_BYTES/);
    expect(parse({ AEO_DOMESTIC_URL: 'not a url', AEO_DOMESTIC_SCHEDULE: '0 1 * * *' }).problems).toEqual([expect.stringMatching(/must be an http/)]);
  });
});
