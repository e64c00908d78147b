// CRLs from signer certificates' distribution points (AEO_CRL_FETCH=true). Fetched with got (short
// timeout, size cap, one retry), kept in `crl_cache` so every process on the database uses the same
// CRL, refreshed on a schedule and whenever a cached one is past its nextUpdate. The signature of a
// fetched CRL is checked where it is used (against the issuing CA), not here.
import got from 'got';
import type { Logger } from 'pino';
import { MAX_CRL_BYTES, parseCrl } from '../crypto/crl.js';
import type { Db } from '../store/db.js';

export interface CrlFetchOptions {
  timeoutMs?: number;
  /** How often every cached CRL is fetched again. */
  refreshMs?: number;
}

interface CachedRow {
  der: string; // base64
  next_update_ms: number | null;
  fetched_at_ms: number;
  [key: string]: unknown;
}

export class DistributionPointCrls {
  private readonly timeoutMs: number;
  private readonly refreshMs: number;
  private readonly inFlight = new Map<string, Promise<Buffer | null>>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    opts: CrlFetchOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.refreshMs = opts.refreshMs ?? 60 * 60_000;
  }

  /** The CRL (DER) of each URL: from the cache while it is fresh, else fetched now. */
  async crlsFor(urls: readonly string[]): Promise<Buffer[]> {
    const out: Buffer[] = [];
    for (const url of urls) {
      const rows = await this.db.query<CachedRow>(
        `SELECT encode(der, 'base64') AS der, (extract(epoch FROM next_update) * 1000)::float8 AS next_update_ms,
                (extract(epoch FROM fetched_at) * 1000)::float8 AS fetched_at_ms FROM crl_cache WHERE url = $1`,
        [url],
      );
      const row = rows[0];
      const now = Date.now();
      const fresh = row && now - row.fetched_at_ms < this.refreshMs && (row.next_update_ms === null || now <= row.next_update_ms);
      const der = fresh ? Buffer.from(row.der, 'base64') : ((await this.fetch(url)) ?? (row ? Buffer.from(row.der, 'base64') : null));
      if (der) out.push(der);
    }
    return out;
  }

  /** Fetches every cached URL again now and then (the first time after `refreshMs`). */
  start(): void {
    this.timer ??= setInterval(() => void this.refreshAll(), this.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async refreshAll(): Promise<void> {
    const rows = await this.db.query<{ url: string }>('SELECT url FROM crl_cache ORDER BY url').catch(() => []);
    for (const { url } of rows) await this.fetch(url);
  }

  /** One fetch per URL at a time in this process; null when it failed (logged). */
  private fetch(url: string): Promise<Buffer | null> {
    let running = this.inFlight.get(url);
    if (!running) {
      running = this.fetchAndStore(url).finally(() => this.inFlight.delete(url));
      this.inFlight.set(url, running);
    }
    return running;
  }

  private async fetchAndStore(url: string): Promise<Buffer | null> {
    try {
      const request = got(url, {
        responseType: 'buffer',
        followRedirect: false,
        timeout: { request: this.timeoutMs },
        retry: { limit: 1, methods: ['GET'] },
      });
      void request.on('downloadProgress', (p: { transferred: number }) => {
        if (p.transferred > MAX_CRL_BYTES) void request.cancel('too large');
      });
      const res = await request;
      if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
      const crl = parseCrl(res.rawBody);
      // Never replace a CRL with an older one (a stale mirror).
      await this.db.query(
        `INSERT INTO crl_cache (url, der, issuer, this_update, next_update, fetched_at)
         VALUES ($1, decode($2, 'base64'), $3, $4, $5, now())
         ON CONFLICT (url) DO UPDATE SET der = EXCLUDED.der, issuer = EXCLUDED.issuer, this_update = EXCLUDED.this_update,
           next_update = EXCLUDED.next_update, fetched_at = EXCLUDED.fetched_at
         WHERE crl_cache.this_update <= EXCLUDED.this_update`,
        [url, res.rawBody.toString('base64'), crl.issuer, crl.thisUpdate.toISOString(), crl.nextUpdate?.toISOString() ?? null],
      );
      this.logger.info({ url, issuer: crl.issuer, nextUpdate: crl.nextUpdate }, 'CRL fetched from its distribution point');
      return res.rawBody;
    } catch (err) {
      this.logger.warn({ url, err: (err as Error).message }, 'CRL could not be fetched from its distribution point');
      return null;
    }
  }
}
