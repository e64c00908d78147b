// Stored message bytes: what is stored gives back the exact bytes, whichever way a batch was stored
// (Brotli since migration 013, gzip before it, plain before that), and scratch memory is handed out
// to one build at a time.
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bodyOf, compressBody } from './body.js';
import { ScratchBuffers } from './scratch.js';

const b64 = (b: Buffer): string => b.toString('base64');
/** The same memory (compared as a boolean: a failing toBe would print megabytes). */
const same = (a: Buffer, b: Buffer): boolean => a.buffer === b.buffer;

describe('stored message bytes', () => {
  // text that compresses well, then bytes that do not, over several 1 MiB output steps
  const body = Buffer.concat([Buffer.from('{"aeoCode":"AEOCN1234567890","nameZh":"上海华盛进出口有限公司"},'.repeat(60_000)), randomBytes(3 << 20)]);

  it('Brotli bodies come back byte for byte, and are smaller than the bytes', async () => {
    const stored = await compressBody(body);
    expect(stored.length).toBeLessThan(body.length);
    expect((await bodyOf({ brotli: b64(stored), gzip: null, plain: null }))!.equals(body)).toBe(true);
  });

  it('batches stored before migration 013 (gzip) and before 010 (plain) still read', async () => {
    expect((await bodyOf({ brotli: null, gzip: b64(gzipSync(body)), plain: null }))!.equals(body)).toBe(true);
    expect((await bodyOf({ brotli: null, gzip: null, plain: b64(body) }))!.equals(body)).toBe(true);
    expect(await bodyOf({ brotli: null, gzip: null, plain: null })).toBeNull();
  });

  it('a damaged stored body is an error, never other bytes', async () => {
    const stored = await compressBody(body);
    stored[Math.floor(stored.length / 2)]! ^= 0xff;
    await expect(bodyOf({ brotli: b64(stored.subarray(0, stored.length - 10)), gzip: null, plain: null })).rejects.toThrow();
  });
});

describe('scratch memory for large messages', () => {
  it('is reused once given back, never handed to two builds at once', () => {
    const pool = new ScratchBuffers();
    const a = pool.take(2 << 20);
    const b = pool.take(2 << 20);
    expect(a.buffer.length).toBe(2 << 20);
    expect(same(a.buffer, b.buffer)).toBe(false);
    a.release();
    a.release(); // twice is once
    const c = pool.take(2 << 20);
    expect(same(c.buffer, a.buffer)).toBe(true);
    const d = pool.take(2 << 20);
    expect(same(d.buffer, a.buffer)).toBe(false);
    // one that does not fit is a new one
    c.release();
    expect(same(pool.take(8 << 20).buffer, a.buffer)).toBe(false);
  });

  it('keeps the largest when more come back than it keeps, so a growing list is not stuck with small ones', () => {
    const pool = new ScratchBuffers();
    const [small, middle, large] = [2 << 20, 4 << 20, 8 << 20].map((n) => pool.take(n));
    for (const s of [small!, middle!, large!]) s.release();
    expect(same(pool.take(8 << 20).buffer, large!.buffer)).toBe(true);
    expect(same(pool.take(3 << 20).buffer, middle!.buffer)).toBe(true);
    expect(same(pool.take(2 << 20).buffer, small!.buffer)).toBe(false);
  });

  it('small messages are plain allocations, not pooled', () => {
    const pool = new ScratchBuffers();
    const a = pool.take(1000);
    a.release();
    const b = pool.take(1000).buffer;
    // not the same memory again (a small allocation may share Node's slab, at another offset)
    expect(b.buffer === a.buffer.buffer && b.byteOffset === a.buffer.byteOffset).toBe(false);
  });
});
