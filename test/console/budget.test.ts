// The console's JavaScript budget (issue: ≤ 60 kB gzipped), checked on the build output of
// `npm run build` (npm test builds before it tests).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const ASSETS = path.resolve('dist/console/assets');

describe('console build', () => {
  it('ships at most 60 kB of gzipped JavaScript, no source maps, and an index page without inline script', () => {
    const files = readdirSync(ASSETS);
    const js = files.filter((f) => f.endsWith('.js'));
    expect(js.length).toBeGreaterThan(0);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    const gzipped = js.reduce((sum, f) => sum + gzipSync(readFileSync(path.join(ASSETS, f)), { level: 9 }).length, 0);
    console.log(`console JavaScript: ${(gzipped / 1024).toFixed(1)} kB gzipped in ${js.length} file(s)`);
    expect(gzipped).toBeLessThanOrEqual(60 * 1024);
    const index = readFileSync(path.resolve('dist/console/index.html'), 'utf8');
    expect(index).toMatch(/<script type="module" crossorigin src="\/console\/assets\/[^"]+\.js"><\/script>/);
    expect(index).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(index).toContain('<!--aeo-settings-->');
  });
});
