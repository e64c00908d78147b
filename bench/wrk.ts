// HTTP load with wrk (Debian's package): a C client that does not decode bodies, so a floor of
// 780 kB answers measures the server, not the client (autocannon reads ~330 such answers/s here).
// A Lua script sets method, headers and body and prints wrk's summary as one JSON line.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { log, tempDir, type Measured } from './util.js';

const run = promisify(execFile);

export interface WrkTarget {
  url: string;
  connections: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  timeoutSeconds?: number;
}

const luaString = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

/** The Lua script for `target`; the body is read from a file (bodies of 20 kB and more). */
function script(target: WrkTarget): string {
  const dir = tempDir('wrk');
  const lines = [`wrk.method = ${luaString(target.method ?? 'GET')}`];
  if (target.body !== undefined) {
    const bodyFile = path.join(dir, 'body');
    writeFileSync(bodyFile, target.body);
    lines.push(`local f = io.open(${luaString(bodyFile)}, "rb")`, 'wrk.body = f:read("*a")', 'f:close()');
  }
  for (const [name, value] of Object.entries(target.headers ?? {})) lines.push(`wrk.headers[${luaString(name)}] = ${luaString(value)}`);
  lines.push(
    'done = function(summary, latency, requests)',
    '  local e = summary.errors',
    '  io.write(string.format("WRK-JSON {\\"requests\\":%d,\\"micros\\":%d,\\"bytes\\":%d,\\"non2xx\\":%d,\\"errors\\":%d,\\"p50\\":%d,\\"p99\\":%d,\\"max\\":%d}\\n",',
    '    summary.requests, summary.duration, summary.bytes, e.status, e.connect + e.read + e.write + e.timeout,',
    '    latency:percentile(50), latency:percentile(99), latency.max))',
    'end',
  );
  const file = path.join(dir, 'load.lua');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

interface WrkRun {
  requests: number;
  micros: number;
  bytes: number;
  non2xx: number;
  errors: number;
  p50: number;
  p99: number;
  max: number;
}

/** One wrk run of `seconds` (two threads at most: the machine has two cores, the server needs one). */
export async function wrk(target: WrkTarget, seconds: number): Promise<WrkRun> {
  const threads = Math.min(2, target.connections);
  const args = ['-t', String(threads), '-c', String(target.connections), '-d', `${seconds}s`, '--timeout', `${target.timeoutSeconds ?? 10}s`, '-s', script(target), target.url];
  const { stdout } = await run('wrk', args, { maxBuffer: 1 << 20 });
  const line = stdout.split('\n').find((l) => l.startsWith('WRK-JSON '));
  if (!line) throw new Error(`wrk printed no summary: ${stdout.slice(0, 300)}`);
  return JSON.parse(line.slice('WRK-JSON '.length)) as WrkRun;
}

/**
 * Several servers in interleaved rounds (A B C A B C …) so a noisy neighbour hurts them alike; a
 * warm-up run before each measured one. req/s over the summed time; latency percentiles are the
 * mean of the rounds' (wrk reports percentiles, not samples); max is the largest.
 */
export async function measureWrkInterleaved(
  targets: readonly { name: string; target: WrkTarget }[],
  opts: { rounds: number; warmupSeconds: number; secondsPerRound: number },
): Promise<(Omit<Measured, 'cpuMicrosPerRequest'> & { bytesPerSec: number })[]> {
  const runs = targets.map(() => [] as WrkRun[]);
  for (let round = 0; round < opts.rounds; round++) {
    for (const [i, { name, target }] of targets.entries()) {
      log(`${name}: round ${round + 1}/${opts.rounds}, ${target.connections} connections, ${opts.secondsPerRound} s (wrk)`);
      if (opts.warmupSeconds > 0) await wrk(target, opts.warmupSeconds);
      runs[i]!.push(await wrk(target, opts.secondsPerRound));
    }
  }
  return runs.map((rs, i) => {
    const sum = (f: (r: WrkRun) => number): number => rs.reduce((n, r) => n + f(r), 0);
    const seconds = sum((r) => r.micros) / 1e6;
    return {
      name: targets[i]!.name,
      reqPerSec: sum((r) => r.requests) / seconds,
      bytesPerSec: sum((r) => r.bytes) / seconds,
      p50: sum((r) => r.p50) / rs.length / 1000,
      p99: sum((r) => r.p99) / rs.length / 1000,
      max: Math.max(...rs.map((r) => r.max)) / 1000,
      non2xx: sum((r) => r.non2xx),
      errors: sum((r) => r.errors),
    };
  });
}
