// Benchmark 3: batch lookups of 1000 distinct, valid sandbox EU operators (real codes, full
// answers) at 4, 8 and 50 connections, next to a bare node:http server that reads and parses the same
// request and sends the same answer bytes (the floor), driven by wrk; and the same batch with
// `asKnownAt` (no answer cache) next to its own floor.
import http from 'node:http';
import { fmt, listen, mb, mdTable, ms, ratio, realOperatorCodes, type BenchGateway, type Section } from './util.js';
import { measureWrkInterleaved, type WrkTarget } from './wrk.js';

const BATCH = 1000;
const CONNECTIONS = [4, 8, 50] as const;
const TARGET_CACHED = 0.8;
const TARGET_UNCACHED = 0.5;
/** Scored at these connection counts (issue 7); 50 is reported. */
const SCORED_AT: readonly number[] = [4, 8];
export const BATCH_LOAD = { rounds: 2, warmupSeconds: 1, secondsPerRound: 5 };

interface Line {
  name: string;
  connections: number;
  target: WrkTarget;
  floor: string | null;
  goal: number | null;
}

async function answerOf(gw: BenchGateway, body: string, headers: Record<string, string>): Promise<Buffer> {
  const res = await fetch(`${gw.url}/v1/recognition/batch`, { method: 'POST', headers, body });
  const bytes = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200) throw new Error(`the gateway answered ${res.status} to a batch: ${bytes.toString('utf8', 0, 200)}`);
  return bytes;
}

export async function batchBenchmark(gw: BenchGateway, singleReqPerSec: number | null): Promise<Section> {
  const route = '/v1/recognition/batch';
  const codes = realOperatorCodes(BATCH);
  const body = JSON.stringify({ codes });
  // With asKnownAt the gateway answers from the index, not from its cache of serialised answers.
  const uncachedBody = JSON.stringify({ codes, asKnownAt: new Date().toISOString() });
  const headers = { authorization: `Bearer ${gw.lookupToken}`, 'content-type': 'application/json' };
  const cachedAnswer = await answerOf(gw, body, headers);
  const uncachedAnswer = await answerOf(gw, uncachedBody, headers);
  const decisions = new Map<string, number>();
  for (const r of (JSON.parse(cachedAnswer.toString('utf8')) as { results: { decision: string }[] }).results) decisions.set(r.decision, (decisions.get(r.decision) ?? 0) + 1);

  // The floor: read and parse the same request, send the same answer bytes, no lookups.
  const bare = await listen(
    http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { codes: unknown[]; asKnownAt?: string };
        const bytes = parsed.asKnownAt === undefined ? cachedAnswer : uncachedAnswer;
        res.writeHead(parsed.codes.length === BATCH ? 200 : 400, { 'content-type': 'application/json; charset=utf-8', 'content-length': bytes.length });
        res.end(bytes);
      });
    }),
  );
  const post = (base: string, connections: number, payload = body): WrkTarget => ({ url: `${base}${route}`, connections, method: 'POST', headers, body: payload, timeoutSeconds: 30 });
  const FLOOR = 'floor: bare node:http, same bytes';
  const FLOOR_UNCACHED = 'floor for `asKnownAt`: bare node:http, same bytes';
  const lines: Line[] = [
    ...CONNECTIONS.map((c) => ({ name: FLOOR, connections: c, target: post(bare.url, c), floor: null, goal: null })),
    ...CONNECTIONS.map((c) => ({ name: 'gateway', connections: c, target: post(gw.url, c), floor: FLOOR, goal: SCORED_AT.includes(c) ? TARGET_CACHED : null })),
    { name: FLOOR_UNCACHED, connections: 4, target: post(bare.url, 4, uncachedBody), floor: null, goal: null },
    { name: 'gateway, `asKnownAt` given (no answer cache)', connections: 4, target: post(gw.url, 4, uncachedBody), floor: FLOOR_UNCACHED, goal: TARGET_UNCACHED },
  ];
  const measured = await measureWrkInterleaved(lines, BATCH_LOAD).finally(() => bare.close());
  const results = measured.map((m, i) => ({ ...m, ...lines[i]! }));
  const floorOf = (r: Line): (typeof results)[number] | undefined => results.find((f) => f.name === r.floor && f.connections === r.connections);
  const vsFloor = (r: (typeof results)[number]): number | null => {
    const f = floorOf(r);
    return f ? r.reqPerSec / f.reqPerSec : null;
  };
  const best = Math.max(...results.filter((r) => r.name === 'gateway').map((m) => m.reqPerSec * BATCH));

  const markdown = [
    `\`POST ${route}\` with the same ${fmt(BATCH)} distinct codes in every request: EORIs of VALID sandbox EU operators (real operators, as clearance systems send; ` +
      `${mb(Buffer.byteLength(body), 2)} in, ${mb(cachedAnswer.length, 2)} out). Answers: ${[...decisions].map(([d, n]) => `${d} ${n}`).join(', ')}. ` +
      'Without `asKnownAt` the answers come from the cache of serialised "as known now" answers; with it every answer is decided and serialised. ' +
      'Each floor reads and parses the same request and sends the same answer bytes (checked equal in length), without lookups. ' +
      `Load from wrk (a Lua script sets method, headers and body; wrk does not decode bodies), ${BATCH_LOAD.rounds} interleaved rounds of ${BATCH_LOAD.secondsPerRound} s per line, ` +
      `${BATCH_LOAD.warmupSeconds} s warm-up each; the server under test and wrk share the 2 cores (and the machine is shared with other work), so compare ratios, not absolute figures.`,
    '',
    mdTable(
      ['server', 'connections', 'answers/s', 'lookups/s', 'MB/s out', 'vs its floor (same run, same connections)', 'p50', 'p99', 'non-2xx / errors'],
      results.map((m) => {
        const r = vsFloor(m);
        return [m.name, m.connections, fmt(m.reqPerSec, 1), fmt(m.reqPerSec * BATCH), fmt(m.bytesPerSec / 1e6), r === null ? '—' : ratio(r), ms(m.p50), ms(m.p99), `${m.non2xx} / ${m.errors}`];
      }),
    ),
    '',
    singleReqPerSec === null ? '' : `For comparison, single lookups (section 2) gave ${fmt(singleReqPerSec)} lookups/s: batches give ${ratio(best / singleReqPerSec)} that.`,
  ].join('\n');

  return {
    title: '3. Batch lookups (1000 real operators per request)',
    markdown,
    summary: results
      .filter((m) => m.floor !== null)
      .map((m) => {
        const r = vsFloor(m) ?? 0;
        return {
          benchmark: 'batch',
          metric: `${m.name}, ${m.connections} connections: vs its floor`,
          value: `${ratio(r)} (${fmt(m.reqPerSec * BATCH)} lookups/s)`,
          baseline: `floor ${fmt((floorOf(m)?.reqPerSec ?? 0) * BATCH)} lookups/s`,
          target: m.goal === null ? '(reported)' : `≥ ${m.goal}×`,
          met: m.goal === null ? null : r >= m.goal,
        };
      }),
  };
}
