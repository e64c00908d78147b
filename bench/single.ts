// Benchmarks 2 and 5: single lookups over HTTP at 50 connections, next to an express 5 app and a
// bare node:http server answering a copy of a real lookup answer, all measured in this run.
import http from 'node:http';
import express from 'express';
import { fmt, listen, mdTable, ms, ratio, type BenchGateway, type Measured, type Section } from './util.js';
import { measureWrkInterleaved } from './wrk.js';

/** Two interleaved rounds of 5 s: 10 s measured per server, after a short warm-up each round. */
export const LOAD = { connections: 50, rounds: 2, warmupSeconds: 1, secondsPerRound: 5 };
const CODE = 'DE123456789012345';
const TARGET_EXPRESS_RATIO = 0.9;

export async function singleLookupBenchmark(gw: BenchGateway): Promise<Section & { gatewayReqPerSec: number }> {
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
  ].join('\n');

  return {
    gatewayReqPerSec: gateway.reqPerSec,
    title: '2. Single lookups over HTTP (and 5. p99 at 50 connections)',
    markdown,
    summary: [
      { benchmark: 'single', metric: 'gateway req/s (50 connections)', value: fmt(gateway.reqPerSec), baseline: `express ${fmt(expressResult.reqPerSec)}, node:http ${fmt(bare.reqPerSec)}`, target: `≥ ${TARGET_EXPRESS_RATIO}× express (${ratio(toExpress)})`, met: toExpress >= TARGET_EXPRESS_RATIO },
      { benchmark: 'single', metric: 'gateway p50 / p99 (50 connections)', value: `${ms(gateway.p50)} / ${ms(gateway.p99)}`, baseline: `express ${ms(expressResult.p50)} / ${ms(expressResult.p99)}`, target: '(reported)', met: null },
    ],
  };
}
