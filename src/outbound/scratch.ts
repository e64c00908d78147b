// Large buffers reused from one build to the next. A FULL's bytes (≈ 28 MB at 100 000 enterprises)
// written into memory already paged in cost a fraction of a fresh allocation, which the kernel must
// page in and the GC must later reclaim (measured in bench/outbound.ts). Small messages are not pooled.
const POOLED_FROM = 1 << 20;
/** Kept for the next builds; more at once (builds of several partners at the same time) are let go,
 * the smallest first, so the pool follows lists that grow. */
const KEPT = 2;

export interface Scratch {
  /** `size` bytes, contents undefined. */
  readonly buffer: Buffer;
  /** Gives the memory back: `buffer` must not be used after. */
  release(): void;
}

export class ScratchBuffers {
  private readonly free: Buffer[] = [];

  take(size: number): Scratch {
    if (size < POOLED_FROM) return { buffer: Buffer.allocUnsafe(size), release: () => undefined };
    const i = this.free.findIndex((b) => b.length >= size);
    // A little headroom, so a list that grows by a few records still fits next time.
    const whole = i >= 0 ? this.free.splice(i, 1)[0]! : Buffer.allocUnsafeSlow(Math.ceil(size * 1.05));
    let released = false;
    return {
      buffer: whole.subarray(0, size),
      release: () => {
        if (released) return;
        released = true;
        this.free.push(whole);
        if (this.free.length > KEPT) {
          this.free.sort((a, b) => b.length - a.length);
          this.free.length = KEPT;
        }
      },
    };
  }
}
