// Reading a Prometheus text scrape in tests: samples by name and exact label set.
import { api, type TestGateway } from './gateway.js';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(LABEL)) labels[k!] = v!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

/** The value of the sample with exactly these labels, or undefined. */
export function sampleValue(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const want = Object.entries(labels).sort();
  return samples.find((s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === JSON.stringify(want))?.value;
}

/** GET /metrics with the metrics token: the text and its samples (asserting a 200). */
export async function scrape(tg: TestGateway): Promise<{ text: string; samples: Sample[] }> {
  const res = await api(`${tg.url}/metrics`, tg.keys.metrics);
  if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status}: ${JSON.stringify(res.body)}`);
  const text = res.body as string;
  return { text, samples: parseSamples(text) };
}
