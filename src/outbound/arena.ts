// Record bytes packed into large blocks. A partner list keeps each record's message bytes (≈ 280 B;
// 100 000 of them per list): one allocation each would be 100 000 ArrayBuffers, and Node's shared
// 8 KiB pool would keep a whole slab alive for one surviving record, so a list that changes a little
// every day would hold more and more memory. Here a list's bytes live in its own blocks, and once
// less than half of what the blocks hold is still in use they are copied into fresh ones (compact).
const BLOCK = 1 << 20;

export class Arena {
  private block = Buffer.allocUnsafeSlow(BLOCK);
  private used = 0;
  /** Bytes handed out since the arena was made: live and dead. */
  private handedOut = 0;

  /** `text` as UTF-8, in the arena; the view stays valid as long as it is referenced. */
  write(text: string): Buffer {
    // A UTF-16 code unit is at most 3 bytes of UTF-8.
    const most = text.length * 3;
    if (most > BLOCK / 4) return this.counted(Buffer.from(text, 'utf8'));
    this.room(most);
    return this.take(this.block.write(text, this.used, 'utf8'));
  }

  /** True when `liveBytes` (what is still referenced) is under half of what was handed out. */
  wasteful(liveBytes: number): boolean {
    return this.handedOut > 2 * liveBytes + BLOCK;
  }

  /** `parts` copied into a new arena (the old blocks go once nothing else refers to them). */
  static compact(parts: readonly Buffer[]): { arena: Arena; parts: Buffer[] } {
    const arena = new Arena();
    return { arena, parts: parts.map((p) => arena.copy(p)) };
  }

  private copy(p: Buffer): Buffer {
    if (p.length > BLOCK / 4) return this.counted(Buffer.from(p));
    this.room(p.length);
    p.copy(this.block, this.used);
    return this.take(p.length);
  }

  private room(bytes: number): void {
    if (this.used + bytes <= this.block.length) return;
    this.block = Buffer.allocUnsafeSlow(BLOCK);
    this.used = 0;
  }

  private take(n: number): Buffer {
    const view = this.block.subarray(this.used, this.used + n);
    this.used += n;
    return this.counted(view);
  }

  private counted(b: Buffer): Buffer {
    this.handedOut += b.length;
    return b;
  }
}
