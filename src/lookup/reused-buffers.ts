// Large answer buffers, reused once the socket has written them. A batch of 1 000 answers is about
// 780 kB: a fresh buffer per request is gigabytes a second of external memory at full load, and V8
// answers that with frequent full collections of the whole heap (index included).

const MIN_BYTES = 1 << 20;
const KEEP = 8;

export class ReusedBuffers {
  private readonly free: Buffer[] = [];

  /** A buffer of at least `bytes` (its contents are old answers: write before reading). */
  take(bytes: number): Buffer {
    for (let i = this.free.length - 1; i >= 0; i--) {
      const b = this.free[i]!;
      if (b.byteLength >= bytes) {
        this.free.splice(i, 1);
        return b;
      }
    }
    return Buffer.allocUnsafeSlow(Math.max(MIN_BYTES, bytes));
  }

  /** Gives a buffer back: only once nothing reads it any more (the response finished). */
  give(b: Buffer): void {
    if (this.free.length < KEEP) this.free.push(b);
  }
}
