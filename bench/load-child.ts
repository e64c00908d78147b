// Child process: the load generator (autocannon). Running it in its own process leaves the measured
// server (in the parent) one of the two cores instead of sharing one event loop with the client.
// Latencies are taken from every response (autocannon's 'response' event, float milliseconds):
// autocannon's own histogram rounds to whole milliseconds, too coarse for sub-millisecond servers.
import autocannon from 'autocannon';
import { serveChild } from './util.js';

export interface LoadRequest {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  /** Seconds of unmeasured load first (JIT, connection setup). */
  warmupSeconds: number;
  /** Seconds measured; the parent may stop earlier. */
  durationSeconds: number;
  /** Requests per second over all connections; unset = as fast as the server answers. */
  overallRate?: number;
  /** Seconds before a request counts as an error (autocannon's default: 10). */
  timeoutSeconds?: number;
  /** Return every response's [end time (epoch ms), latency (ms)] for windowed analysis. */
  keepSamples?: boolean;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  non2xx: number;
  errors: number;
  /** Latency of every 2xx response, in completion order. */
  latencies: Float64Array;
  /** Present with keepSamples: end times (epoch ms, same order as latencies). */
  endTimes?: Float64Array;
}

class Samples {
  private data = new Float64Array(1 << 16);
  length = 0;
  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }
  values(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

function fire(req: LoadRequest, seconds: number, onResponse?: (status: number, latency: number) => void): { instance: autocannon.Instance; done: Promise<autocannon.Result> } {
  let instance: autocannon.Instance | undefined;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(
      {
        url: req.url,
        method: req.method ?? 'GET',
        headers: req.headers,
        body: req.body,
        connections: req.connections,
        duration: seconds,
        ...(req.timeoutSeconds === undefined ? {} : { timeout: req.timeoutSeconds }),
        ...(req.overallRate === undefined ? {} : { overallRate: req.overallRate }),
      },
      (err, result) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(result)),
    );
  });
  if (onResponse) instance!.on('response', (_client, status, _bytes, latency) => onResponse(status, latency));
  return { instance: instance!, done };
}

serveChild<LoadRequest, LoadResult>(async (req, events) => {
  if (req.warmupSeconds > 0) await fire(req, req.warmupSeconds).done;
  const latencies = new Samples();
  const endTimes = new Samples();
  let non2xx = 0;
  const started = performance.now();
  const run = fire(req, req.durationSeconds, (status, latency) => {
    if (status < 200 || status > 299) {
      non2xx++;
      return;
    }
    latencies.push(latency);
    if (req.keepSamples) endTimes.push(performance.timeOrigin + performance.now());
  });
  events.started();
  void events.stopped.then(() => run.instance.stop());
  const result = await run.done;
  const elapsed = (performance.now() - started) / 1000;
  return {
    requests: result.requests.total,
    seconds: elapsed,
    non2xx,
    errors: result.errors,
    latencies: latencies.values(),
    ...(req.keepSamples ? { endTimes: endTimes.values() } : {}),
  };
});
