// Benchmark 3: batch lookups (1000 codes per request) at 50 and 4 connections, next to a bare
// node:http server that reads and parses the same request and sends the same answer bytes.
import http from 'node:http';
import { LOAD } from './single.js';
import { CODE_MIX, codeMix, fmt, listen, mb, mdTable, measureInterleaved, ms, ratio, type BenchGateway, type Section, type Target } from './util.js';

const BATCH = 1000;
const TARGET_LOOKUPS_PER_SEC = 1_000_000;
const CONNECTIONS = [50, 4] as const;

interface Line {
  name: string;
  connections: number;
  target: Target;
  /** floor: the HTTP baseline; scored: counts toward the target; extra: reported only. */
  role: 'floor' | 'scored' | 'extra';
}

export async function batchBenchmark(gw: BenchGateway, singleReqPerSec: number | null): Promise<Section> {
  const path = '/v1/recognition/batch';
  const codes = codeMix(BATCH);
  const body = JSON.stringify({ codes });
  // With asKnownAt the gateway answers from the index, not from its cache of serialised answers.
  const uncachedBody = JSON.stringify({ codes, asKnownAt: new Date().toISOString() });
  const headers = { authorization: `Bearer ${gw.lookupToken}`, 'content-type': 'application/json' };
  const real = await fetch(`${gw.url}${path}`, { method: 'POST', headers, body });
  const realText = await real.text();
  if (real.status !== 200) throw new Error(`the gateway answered ${real.status} to a batch: ${realText.slice(0, 200)}`);
  const answer = JSON.parse(realText) as { results: { decision: string }[] };
  const decisions = new Map<string, number>();
  for (const r of answer.results) decisions.set(r.decision, (decisions.get(r.decision) ?? 0) + 1);

  // Baseline: read and parse the same request, send the same answer bytes — the HTTP floor, no lookups.
  const answerBytes = Buffer.from(realText);
  const bare = await listen(
    http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { codes: unknown[] };
        res.writeHead(parsed.codes.length === BATCH ? 200 : 400, { 'content-type': 'application/json; charset=utf-8', 'content-length': answerBytes.length });
        res.end(answerBytes);
      });
    }),
  );
  // Answers of 0.6 MB queue up behind each other at 50 connections: allow 30 s before a timeout.
  const post = (url: string, connections: number, payload = body): Target => ({ url, connections, method: 'POST', headers, body: payload, timeoutSeconds: 30 });
  const lines: Line[] = [
    ...CONNECTIONS.map((connections) => ({ name: 'baseline: bare node:http, same bytes', connections, target: post(`${bare.url}${path}`, connections), role: 'floor' as const })),
    ...CONNECTIONS.map((connections) => ({ name: 'gateway', connections, target: post(`${gw.url}${path}`, connections), role: 'scored' as const })),
    { name: 'gateway, `asKnownAt` given (no answer cache)', connections: 4, target: post(`${gw.url}${path}`, 4, uncachedBody), role: 'extra' },
  ];
  const measured = await measureInterleaved(lines, LOAD).finally(() => bare.close());
  const results = measured.map((m, i) => ({ ...m, ...lines[i]! }));
  /** The floor at the same number of connections. */
  const floorOf = (connections: number) => results.find((r) => r.role === 'floor' && r.connections === connections) ?? results[0]!;
  const scored = results.filter((r) => r.role === 'scored');
  const best = Math.max(...scored.map((m) => m.reqPerSec * BATCH));

  const markdown = [
    `\`POST ${path}\` with the same ${fmt(BATCH)} codes in every request (${mb(Buffer.byteLength(body), 2)} in, ${mb(Buffer.byteLength(realText), 2)} out), ` +
      `drawn from the sandbox lists: ${CODE_MIX.map((m) => `${Math.round(m.share * 100)} % ${m.kind}`).join(', ')}. ` +
      `Answers: ${[...decisions].sort((a, b) => b[1] - a[1]).map(([d, n]) => `${d} ${n}`).join(', ')}. ` +
      'Repeating the same codes is what clearance systems do, and the gateway keeps serialised "as known now" answers until the data changes, ' +
      'so these requests are served from that cache; the last line passes `asKnownAt`, which bypasses it (every answer decided and serialised). ' +
      'The baseline reads and parses the same request and sends the same answer bytes, without lookups: the HTTP floor at that number of connections ' +
      '(at 50 connections it is bounded by the load generator, one process reading fifty 0.6 MB answers at a time). ' +
      `autocannon in a child process, ${LOAD.rounds} interleaved rounds of ${LOAD.secondsPerRound} s per line (${LOAD.warmupSeconds} s warm-up each).`,
    '',
    mdTable(
      ['server', 'connections', 'req/s', 'lookups/s', 'vs the floor (same connections)', 'p50', 'p99', 'non-2xx / errors'],
      results.map((m) => [m.name, m.connections, fmt(m.reqPerSec, 1), fmt(m.reqPerSec * BATCH), ratio(m.reqPerSec / floorOf(m.connections).reqPerSec), ms(m.p50), ms(m.p99), `${m.non2xx} / ${m.errors}`]),
    ),
    '',
    singleReqPerSec === null ? '' : `For comparison, single lookups (section 2) gave ${fmt(singleReqPerSec)} lookups/s: batches give ${ratio(best / singleReqPerSec)} that.`,
  ].join('\n');

  return {
    title: '3. Batch lookups (1000 codes per request)',
    markdown,
    summary: results
      .filter((m) => m.role !== 'floor')
      .map((m) => ({
        benchmark: 'batch',
        metric: `lookups/s, ${m.name}, ${m.connections} connections`,
        value: fmt(m.reqPerSec * BATCH),
        baseline: `HTTP floor ${fmt(floorOf(m.connections).reqPerSec * BATCH)}`,
        target: m.role === 'scored' ? `≥ ${fmt(TARGET_LOOKUPS_PER_SEC)}` : '(reported)',
        met: m.role === 'scored' ? m.reqPerSec * BATCH >= TARGET_LOOKUPS_PER_SEC : null,
      })),
  };
}
