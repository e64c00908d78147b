// Benchmarks 2 and 5: single lookups over HTTP at 50 connections, next to an express 5 app and a
// bare node:http server answering a copy of a real lookup answer, all measured in this run.
import http from 'node:http';
import express from 'express';
import { fmt, listen, mdTable, measureInterleaved, ms, ratio, type BenchGateway, type Measured, type Section } from './util.js';
import { measureWrkInterleaved } from './wrk.js';

/** Two interleaved rounds of 5 s: 10 s measured per server, after a short warm-up each round. */
export const LOAD = { connections: 50, rounds: 2, warmupSeconds: 1, secondsPerRound: 5 };
const CODE = 'DE123456789012345';
const TARGET_EXPRESS_RATIO = 0.9;
/** Metrics on must keep at least 95 % of the req/s of the same gateway with metrics off. */
const TARGET_METRICS_RATIO = 0.95;
/** On vs off: more, shorter rounds alternating between the two; no warm-up, so CPU per request is exact. */
const METRICS_LOAD = { connections: 50, rounds: 4, warmupSeconds: 0, secondsPerRound: 4 };

export async function singleLookupBenchmark(gw: BenchGateway, withoutMetrics: BenchGateway): Promise<Section & { gatewayReqPerSec: number }> {
  const path = `/v1/recognition/${CODE}`;
  const headers = { authorization: `Bearer ${gw.lookupToken}` };
  const real = await fetch(`${gw.url}${path}`, { headers });
  const realText = await real.text();
  if (real.status !== 200) throw new Error(`the gateway answered ${real.status} to ${path}: ${realText.slice(0, 200)}`);
  const answer = JSON.parse(realText) as unknown;

  // (a) express 5, one route serialising the same answer; (b) node:http serialising it by hand.
  const app = express();
  app.get('/v1/recognition/:code', (_req, res) => {
    res.json(answer);
  });
  const expressServer = await listen(http.createServer(app));
  const bareServer = await listen(
    http.createServer((_req, res) => {
      const bytes = JSON.stringify(answer);
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(bytes) });
      res.end(bytes);
    }),
  );
  const closeServers = () => Promise.all([expressServer.close(), bareServer.close()]);
  const sizes = await Promise.all(
    [expressServer.url, bareServer.url].map(async (base) => (await (await fetch(`${base}${path}`)).arrayBuffer()).byteLength),
  );
  if (sizes.some((size) => size !== Buffer.byteLength(realText))) {
    await closeServers();
    throw new Error(`baseline bodies differ in size: ${sizes.join(', ')}`);
  }
  const results = await measureWrkInterleaved(
    [
      { name: 'bare node:http', target: { url: `${bareServer.url}${path}`, connections: LOAD.connections } },
      { name: 'express 5, one route', target: { url: `${expressServer.url}${path}`, connections: LOAD.connections } },
      { name: 'gateway', target: { url: `${gw.url}${path}`, headers, connections: LOAD.connections } },
    ],
    LOAD,
  ).finally(closeServers);
  const [bare, expressResult, gateway] = results as unknown as [Measured, Measured, Measured];
  const toExpress = gateway.reqPerSec / expressResult.reqPerSec;

  // Metrics on vs off: the same lookup on two sandbox gateways, in alternating rounds.
  const [metricsOn, metricsOff] = (await measureInterleaved(
    [
      { name: 'gateway, metrics on', target: { url: `${gw.url}${path}`, headers, connections: LOAD.connections } },
      {
        name: 'gateway, metrics off',
        target: { url: `${withoutMetrics.url}${path}`, headers: { authorization: `Bearer ${withoutMetrics.lookupToken}` }, connections: LOAD.connections },
      },
    ],
    METRICS_LOAD,
  )) as [Measured, Measured];
  const throughputRatio = metricsOn.reqPerSec / metricsOff.reqPerSec;
  const cpuRatio = metricsOff.cpuMicrosPerRequest / metricsOn.cpuMicrosPerRequest;

  const markdown = [
    `\`GET ${path}\` on the sandbox gateway (PGlite, \`LOG_LEVEL=info\`: successful lookups log at debug, so nothing is written per lookup, ` +
      'though the request log still runs for each). The baselines run in the same process and answer a copy of the gateway’s real answer ' +
      `(${fmt(Buffer.byteLength(realText))} bytes, the same size from all three), serialising it on every request. ` +
      'Load from wrk (its own process, 2 threads): ' +
      `${LOAD.connections} connections, ${LOAD.rounds} interleaved rounds of ${LOAD.secondsPerRound} s per server (${LOAD.warmupSeconds} s warm-up each); ` +
      'p50/p99 are the means of the rounds’ wrk percentiles. wrk and the servers share the 2 cores of a machine shared with other work: compare the ratios, measured in the same run.',
    '',
    mdTable(
      ['server', 'req/s', 'p50', 'p99', 'max', 'non-2xx / errors', 'vs express'],
      results.map((m) => [m.name, fmt(m.reqPerSec), ms(m.p50), ms(m.p99), ms(m.max), `${m.non2xx} / ${m.errors}`, ratio(m.reqPerSec / expressResult.reqPerSec)]),
    ),
    '',
    '**Metrics on vs off.** The same lookup on this gateway and on a second sandbox gateway in the same process started with ' +
      '`startGateway(…, { metrics: false })` (no request timer, no `/metrics`; its lookups still bump their decision tallies, a number in a cell the cached answer holds). ' +
      `${METRICS_LOAD.rounds} alternating rounds of ${METRICS_LOAD.secondsPerRound} s each, ${METRICS_LOAD.connections} connections, no warm-up (both are warm from the rounds above). ` +
      'Besides req/s, the CPU time this process spent per answered request (`process.cpuUsage()` over each round; the load generator is a child process): ' +
      'on a shared machine req/s follows the neighbours, CPU per request much less, so the target (within 5 %) is judged on requests per CPU second; ' +
      'req/s is shown as measured, and only a quiet machine makes it comparable.',
    '',
    mdTable(
      ['server', 'req/s', 'CPU per request', 'p50', 'p99', 'non-2xx / errors'],
      [metricsOn, metricsOff].map((m) => [m.name, fmt(m.reqPerSec), `${fmt(m.cpuMicrosPerRequest)} µs`, ms(m.p50), ms(m.p99), `${m.non2xx} / ${m.errors}`]),
    ),
    '',
    `Ratios on / off: req/s ${ratio(throughputRatio)}, requests per CPU second ${ratio(cpuRatio)}.`,
  ].join('\n');

  const metricsMet = cpuRatio >= TARGET_METRICS_RATIO;
  return {
    gatewayReqPerSec: gateway.reqPerSec,
    title: '2. Single lookups over HTTP (and 5. p99 at 50 connections)',
    markdown,
    summary: [
      { benchmark: 'single', metric: 'gateway req/s (50 connections)', value: fmt(gateway.reqPerSec), baseline: `express ${fmt(expressResult.reqPerSec)}, node:http ${fmt(bare.reqPerSec)}`, target: `≥ ${TARGET_EXPRESS_RATIO}× express (${ratio(toExpress)})`, met: toExpress >= TARGET_EXPRESS_RATIO },
      {
        benchmark: 'single',
        metric: 'metrics on vs off: requests per CPU second (req/s)',
        value: `${fmt(1e6 / metricsOn.cpuMicrosPerRequest)} (${fmt(metricsOn.reqPerSec)})`,
        baseline: `metrics off ${fmt(1e6 / metricsOff.cpuMicrosPerRequest)} (${fmt(metricsOff.reqPerSec)})`,
        target: `≥ ${TARGET_METRICS_RATIO}× (${ratio(cpuRatio)}; req/s ${ratio(throughputRatio)})`,
        met: metricsMet,
      },
      { benchmark: 'single', metric: 'gateway p50 / p99 (50 connections)', value: `${ms(gateway.p50)} / ${ms(gateway.p99)}`, baseline: `express ${ms(expressResult.p50)} / ${ms(expressResult.p99)}`, target: '(reported)', met: null },
    ],
  };
}
