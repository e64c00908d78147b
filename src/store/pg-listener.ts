// The one LISTEN connection of a server engine. When it ends or errors (a restart, a failover,
// pg_terminate_backend), it is opened again with backoff, every channel is listened to again and the
// reconnect hooks run at once: whatever was notified while it was down has to be caught up on.
import pg from 'pg';

/** Delays before reconnect attempts, in ms: doubling from the first, capped at the last. */
export const RECONNECT_DELAYS_MS = { first: 50, max: 5_000 } as const;

export function reconnectDelay(attempt: number): number {
  return Math.min(RECONNECT_DELAYS_MS.max, RECONNECT_DELAYS_MS.first * 2 ** attempt);
}

export class PgListener {
  private client: pg.Client | null = null;
  private connecting: Promise<pg.Client> | null = null;
  private readonly handlers = new Map<string, Set<(payload: string) => void>>();
  private readonly reconnectHooks = new Set<() => void>();
  private closed = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly connectionString: string) {}

  async listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>> {
    let set = this.handlers.get(channel);
    if (!set) {
      set = new Set();
      this.handlers.set(channel, set);
      const client = await this.connected();
      await client.query(listenSql(channel));
    }
    set.add(onPayload);
    return () => {
      set.delete(onPayload);
      return Promise.resolve();
    };
  }

  onReconnect(hook: () => void): () => void {
    this.reconnectHooks.add(hook);
    return () => void this.reconnectHooks.delete(hook);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private connected(): Promise<pg.Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.open().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async open(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.connectionString, application_name: 'aeo-gateway-listen' });
    let lost = false;
    const onLost = (): void => {
      if (lost) return;
      lost = true;
      if (this.client === client) this.client = null;
      client.end().catch(() => undefined);
      this.scheduleReconnect(0);
    };
    client.on('error', () => undefined); // a failed connect rejects below; later errors are onLost
    client.on('notification', (msg) => {
      for (const h of this.handlers.get(msg.channel) ?? []) h(msg.payload ?? '');
    });
    try {
      await client.connect();
      for (const channel of this.handlers.keys()) await client.query(listenSql(channel));
      if (this.closed) throw new Error('The database was closed.');
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    client.on('error', onLost);
    client.on('end', onLost);
    this.client = client;
    return client;
  }

  private scheduleReconnect(attempt: number): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.closed) return;
      this.connected().then(
        () => {
          if (this.closed) return;
          for (const hook of this.reconnectHooks) hook();
        },
        () => this.scheduleReconnect(attempt + 1),
      );
    }, reconnectDelay(attempt));
    this.timer.unref();
  }
}

function listenSql(channel: string): string {
  return `LISTEN "${channel.replace(/"/g, '')}"`;
}
