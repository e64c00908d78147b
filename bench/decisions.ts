// Benchmark 4: in-process decisions per second, `lookup.recognise(code, date, now, now)` over a mix of
// 10 000 codes, next to the bare index read (a Map lookup), recognise + JSON.stringify (an answer
// serialised from scratch) and recogniseJson (the serialised-answer cache the HTTP routes use).
import { CODE_MIX, codeMix, fmt, mdTable, ratio, type BenchGateway, type Section } from './util.js';

const CODES = 10_000;
const CALLS = 200_000; // per measured pass; bounded
const WARMUP_CALLS = 50_000;
const ROUNDS = 3; // interleaved; the best pass of each variant is reported

interface Variant {
  name: string;
  run: (code: string) => unknown;
}

function pass(codes: readonly string[], calls: number, fn: (code: string) => unknown): number {
  let sink = 0;
  const t = performance.now();
  for (let i = 0; i < calls; i++) {
    if (fn(codes[i % codes.length]!) !== undefined) sink++;
  }
  const elapsed = performance.now() - t;
  if (sink < 0) throw new Error('unreachable'); // keeps the results alive
  return elapsed;
}

export function decisionsBenchmark(gw: BenchGateway): Section {
  const { lookup, index } = gw.gateway;
  const codes = codeMix(CODES);
  const now = Date.now();
  const date = lookup.today(now);
  const variants: Variant[] = [
    { name: 'baseline: index.history(code), a Map read', run: (code) => index.history(code) },
    { name: 'lookup.recognise(code, date, now, now)', run: (code) => lookup.recognise(code, date, now, now) },
    { name: 'recognise + JSON.stringify (answer text, uncached)', run: (code) => JSON.stringify(lookup.recognise(code, date, now, now)) },
    { name: 'recogniseJson (answer text from the cache the routes use)', run: (code) => lookup.recogniseJson(code, date, now) },
  ];
  for (const v of variants) pass(codes, WARMUP_CALLS, v.run);
  const best = variants.map(() => Infinity);
  for (let round = 0; round < ROUNDS; round++) {
    variants.forEach((v, i) => {
      best[i] = Math.min(best[i]!, pass(codes, CALLS, v.run));
    });
  }
  const perSec = best.map((millis) => (CALLS / millis) * 1000);
  const [mapRead, recognise, withJson, cached] = perSec as [number, number, number, number];
  const decisions = new Map<string, number>();
  for (const code of codes) {
    const d = lookup.recognise(code, date, now, now).decision;
    decisions.set(d, (decisions.get(d) ?? 0) + 1);
  }

  const markdown = [
    `${fmt(CODES)} codes in the mix of section 3 (${CODE_MIX.length} kinds; decisions: ${[...decisions].sort((a, b) => b[1] - a[1]).map(([d, n]) => `${d} ${n}`).join(', ')}), ` +
      `on the sandbox gateway’s index (${fmt(index.operatorCount)} operators). ${fmt(CALLS)} calls per pass after ${fmt(WARMUP_CALLS)} warm-up calls, ` +
      `${ROUNDS} interleaved rounds, best pass reported.`,
    '',
    mdTable(
      ['variant', 'calls/s', 'per call', 'vs recognise'],
      variants.map((v, i) => [v.name, fmt(perSec[i]!), `${fmt((best[i]! / CALLS) * 1000, 2)} µs`, ratio(perSec[i]! / recognise)]),
    ),
  ].join('\n');

  return {
    title: '4. In-process decisions per second',
    markdown,
    summary: [
      { benchmark: 'in-process', metric: 'decisions/s', value: fmt(recognise), baseline: `Map read ${fmt(mapRead)}/s`, target: '(reported)', met: null },
      { benchmark: 'in-process', metric: 'answer texts/s, uncached / cached', value: `${fmt(withJson)} / ${fmt(cached)}`, baseline: `decisions ${fmt(recognise)}/s`, target: '(reported)', met: null },
    ],
  };
}
