// Wiring only: config → store → registry/catalog → index → pipeline → jobs → http.
import type { Server } from 'node:http';
import path from 'node:path';
import type { Logger } from 'pino';
import { loadCatalog } from './catalog/load.js';
import type { Config } from './config.js';
import { AppError } from './errors.js';
import { Partners } from './exchange/partners.js';
import { InboundPipeline } from './exchange/pipeline.js';
import { partnerLockKey } from './exchange/locks.js';
import { PartnerSync } from './exchange/sync.js';
import { DomesticRegister } from './domestic/register.js';
import { createApp } from './http/app.js';
import { Authenticator } from './http/auth.js';
import { domesticRoutes } from './http/routes/domestic.js';
import { outboundRoutes } from './http/routes/outbound.js';
import { outboundExchangeRoutes } from './http/routes/outbound-exchange.js';
import { sandboxOutboundRoutes } from './http/routes/sandbox-outbound.js';
import { exchangeRoutes, type PartnerStatus } from './http/routes/exchanges.js';
import { healthRoutes } from './http/routes/health.js';
import { openApiRoutes } from './http/routes/openapi.js';
import { recognitionRoutes } from './http/routes/recognition.js';
import { registryRoutes } from './http/routes/registry.js';
import { sandboxRoutes } from './http/routes/sandbox.js';
import { Scheduler } from './jobs/scheduler.js';
import { OutboundService } from './outbound/service.js';
import { openOutboundSigner } from './outbound/signer.js';
import { sandboxRegister } from './sandbox/domestic.js';
import { SandboxHkPuller } from './sandbox/outbound-partners.js';
import { isStale } from './lookup/freshness.js';
import { OperatorIndex } from './lookup/operator-index.js';
import { LookupService } from './lookup/service.js';
import { Registry, REGISTRY_CHANNEL } from './registry/registry.js';
import { ensureSandboxKeys } from './sandbox/keys.js';
import { SANDBOX_PARTNERS } from './sandbox/population.js';
import { SandboxSimulator } from './sandbox/simulator.js';
import type { Db } from './store/db.js';
import { failInterruptedRuns, latestOutcomes } from './store/exchanges-repo.js';
import { embeddedDbDir, openDb } from './store/open.js';

export const PUBLISHED_CHANNEL = 'aeo_published';
const SAFETY_REFRESH_MS = 30_000;

export interface Gateway {
  readonly url: string;
  readonly db: Db;
  readonly registry: Registry;
  readonly partners: Partners;
  readonly pipeline: InboundPipeline;
  readonly sync: PartnerSync;
  readonly lookup: LookupService;
  readonly index: OperatorIndex;
  readonly sandbox: SandboxSimulator | null;
  readonly domestic: DomesticRegister;
  readonly outbound: OutboundService;
  /** Where generated sandbox keys were written, when they were. */
  readonly sandboxKeysFile: string | null;
  close(): Promise<void>;
}

/** Opens the services without HTTP (the CLI's import and lookup commands use this too). */
export async function openServices(config: Readonly<Config>, logger: Logger) {
  const db = await openDb({ databaseUrl: config.databaseUrl, embeddedDir: embeddedDbDir(config.dataDir) });
  try {
    const registry = await Registry.open(db, { dataFile: path.join(config.partnersDir, 'agreements.json'), schemasDir: config.schemasDir });
    const defs = await loadCatalog(config.partnersDir, config.schemasDir);
    const sandbox = config.sandbox ? SandboxSimulator.open(config.dataDir, config.timeZone) : null;
    const extraAnchors = new Map<string, string>();
    if (sandbox) for (const p of SANDBOX_PARTNERS) extraAnchors.set(p, sandbox.anchorDir(p));
    const partners = Partners.load(defs, config.certsDir, extraAnchors);
    const index = new OperatorIndex(db, partners.all().map((p) => p.def.code));
    const lookup = new LookupService({ registry, partners, index, timeZone: config.timeZone });
    const pipeline = new InboundPipeline({
      db,
      logger,
      timeZone: config.timeZone,
      partners,
      registry,
      onPublished: async (partner) => {
        await index.refresh(partner);
        await db.notify(PUBLISHED_CHANNEL, partner);
      },
      catalogDirs: { partnersDir: config.partnersDir, schemasDir: config.schemasDir },
      currentOperators: (partner) => ({ lastEventId: index.lastEventIdOf(partner), current: () => index.currentOf(partner) }),
    });
    const domestic = new DomesticRegister(db);
    return { db, registry, partners, sandbox, index, lookup, pipeline, domestic };
  } catch (err) {
    await db.close();
    throw err;
  }
}

export async function startGateway(config: Readonly<Config>, logger: Logger): Promise<Gateway> {
  // Our signing key first: bad or missing files stop the start before anything else is opened.
  const signer = openOutboundSigner(config);
  const services = await openServices(config, logger);
  const { db, registry, partners, sandbox, index, lookup, pipeline, domestic } = services;
  const timers: NodeJS.Timeout[] = [];
  let server: Server | null = null;
  let ready = false;
  const scheduler = { current: null as Scheduler | null };
  const outboundJobs = { current: null as Scheduler | null };
  let outbound: OutboundService | null = null;

  try {
    let keys = config.apiKeys;
    let sandboxKeysFile: string | null = null;
    if (keys.length === 0) {
      const generated = ensureSandboxKeys(config.dataDir, partners.all().map((p) => p.def.code));
      keys = generated.keys;
      sandboxKeysFile = generated.file;
      logger.info({ file: generated.file }, 'sandbox API keys are in this file (mode 0600)');
    }
    const auth = new Authenticator(keys);

    // Runs a dead process left unfinished end FAILED, unless another process is running them now.
    for (const p of partners.all()) {
      await db.tryWithLock(partnerLockKey(p.def.code, 'run'), () => failInterruptedRuns(db, p.def.code));
    }
    await domestic.recoverInterrupted();
    await index.refresh();
    // The first list must not wait for the check worker to compile the partner schemas.
    await pipeline.warmUp();
    await db.listen(PUBLISHED_CHANNEL, (partner) => void index.refresh(partner).catch((err: unknown) => logger.error({ err }, 'index refresh failed')));
    await db.listen(REGISTRY_CHANNEL, () => void registry.reload().catch((err: unknown) => logger.error({ err }, 'registry reload failed')));
    // NOTIFY is best effort (a dropped connection loses it): refresh now and then regardless.
    timers.push(setInterval(() => void index.refresh().catch(() => undefined), SAFETY_REFRESH_MS).unref());

    let baseUrl = '';
    const sync = new PartnerSync({
      db,
      logger,
      partners,
      pipeline,
      pullUrlOf: (code) => {
        const m = partners.get(code)?.def.manifest;
        if (!m) return null;
        if (config.sandbox && m.sandbox) return `${baseUrl}${m.sandbox.pullPath}`;
        return m.pullUrl;
      },
    });
    const hk = sandbox && keys.find((k) => k.scope === 'partner-HK');
    const hkPuller = sandbox && hk ? new SandboxHkPuller({ sim: sandbox, baseUrl: () => baseUrl, token: hk.token, anchorsPem: signer.anchorsPem }) : null;
    const out = new OutboundService({
      db,
      partners,
      signer,
      logger,
      timeZone: config.timeZone,
      policy: config.outboundRetry,
      urlOf: (code) => {
        const d = partners.get(code)?.def.manifest.outbound?.delivery;
        if (!d || d.mode === 'pull') return null;
        if (config.sandbox && d.sandboxPath) return `${baseUrl}${d.sandboxPath}`;
        return d.url ?? null;
      },
      onBuilt: async (batch) => {
        if (batch.partner === 'HK' && hkPuller) await hkPuller.pull();
      },
    });
    outbound = out;
    if (sandbox && (await domestic.current()).size === 0) {
      const seeded = await domestic.import({ kind: 'FULL', records: sandboxRegister() }, 'sandbox', 'sandbox');
      logger.info({ outcome: seeded.outcome, enterprises: seeded.counts?.received }, 'sandbox domestic register imported');
    }
    // Retries another process scheduled, receipts overdue: looked at now and then.
    let sweeping = false;
    timers.push(
      setInterval(() => {
        if (sweeping) return;
        sweeping = true;
        void out.delivery.deliverAll().then(() => out.receipts.markOverdue()).catch((err: unknown) => logger.error({ err }, 'outbound sweep failed')).finally(() => (sweeping = false));
      }, 30_000).unref(),
    );
    const today = (): string => lookup.today();
    const exchangeOf = (agreementId: string) => partners.exchangeLink(agreementId);
    const partnerStatuses = async (): Promise<PartnerStatus[]> => {
      const outcomes = await latestOutcomes(db);
      return Promise.all(partners.all().map(async (p) => {
        const data = index.partner(p.def.code);
        return {
          code: p.def.code,
          agreementId: p.def.manifest.agreementId,
          enabled: p.def.manifest.enabled,
          lastSuccessAt: data?.lastSuccessAt == null ? null : new Date(data.lastSuccessAt).toISOString(),
          lastSequence: data?.lastSequence ?? null,
          operatorCount: data?.operatorCount ?? 0,
          stale: isStale(data, p.def.manifest.freshnessHours, Date.now()),
          nextRunAt: scheduler.current?.nextRunAt(p.def.code)?.toISOString() ?? null,
          lastOutcome: outcomes.get(p.def.code) ?? null,
          outbound: await out.partnerBlock(p.def.code, outboundJobs.current?.nextRunAt(p.def.code) ?? null),
        };
      }));
    };

    const app = createApp(logger, [
      (r) => healthRoutes(r, { ready: async () => ready && index.loaded && (await db.query('SELECT 1 AS ok')).length === 1 }),
      (r) => openApiRoutes(r, auth),
      (r) => registryRoutes(r, { auth, registry, today, exchangeOf }),
      (r) => {
        r.use('/v1/recognition', (_req, res, next) => {
          if (ready) return next();
          res.status(503).json({ error: { code: 'NOT_READY', message: 'The lookup index is still loading.' } });
        });
        recognitionRoutes(r, auth, lookup);
      },
      (r) =>
        exchangeRoutes(r, {
          auth,
          db,
          partners,
          pipeline,
          partnerStatuses,
          syncNow: async (code) => {
            const run = await sync.sync(code, 'manual');
            if (run === null) throw new AppError('CONFLICT', `A sync of ${code} is already running.`);
            return run;
          },
        }),
      (r) => domesticRoutes(r, { auth, db, register: domestic }),
      (r) => outboundRoutes(r, { auth, outbound: out }),
      (r) => outboundExchangeRoutes(r, { auth, outbound: out, anchorsPem: () => signer.anchorsPem }),
      // Before sandboxRoutes: /sandbox/domestic/advance must not be taken for a partner's advance.
      ...(sandbox ? [(r: Parameters<typeof sandboxRoutes>[0]) => sandboxOutboundRoutes(r, { sim: sandbox, register: domestic, anchorsPem: () => signer.anchorsPem, timeZone: config.timeZone })] : []),
      ...(sandbox ? [(r: Parameters<typeof sandboxRoutes>[0]) => sandboxRoutes(r, sandbox)] : []),
    ]);

    const listening = app.listen(config.port, config.host);
    server = listening;
    await new Promise<void>((resolve, reject) => {
      listening.once('listening', resolve);
      listening.once('error', reject);
    });
    const address = listening.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    baseUrl = `http://127.0.0.1:${port}`;
    logger.info({ port, sandbox: config.sandbox, engine: db.engine }, 'gateway listening');

    if (config.syncOnStart) {
      for (const p of partners.all()) {
        if (!p.def.manifest.enabled) continue;
        try {
          const run = await sync.sync(p.def.code, 'startup');
          logger.info({ partner: p.def.code, outcome: run?.outcome ?? 'SKIPPED' }, 'startup sync');
        } catch (err) {
          logger.warn({ err, partner: p.def.code }, 'startup sync not possible');
        }
      }
    }
    if (config.syncOnStart) {
      // The first FULL to each partner goes out before ready (sandbox: acknowledged by the simulators).
      for (const code of out.partnerCodes()) {
        try {
          const batch = await out.run(code, 'startup');
          logger.info({ partner: code, sequence: batch.sequence, state: batch.state }, 'startup outbound');
        } catch (err) {
          logger.warn({ err, partner: code }, 'startup outbound not possible');
        }
      }
    }
    const outJobs = new Scheduler({ sync: (code) => out.builder.build({ partner: code, trigger: 'schedule' }).then(async (b) => b && (await out.delivery.deliver(code), b)) }, config.timeZone, logger, 'outbound');
    outJobs.start(partners.all().filter((p) => p.def.manifest.outbound?.enabled).map((p) => ({ partner: p.def.code, expression: p.def.manifest.outbound!.schedule })));
    outboundJobs.current = outJobs;
    void out.delivery.deliverAll(); // what a stopped process left in the outbox
    const jobs = new Scheduler(sync, config.timeZone, logger);
    jobs.start(
      partners
        .all()
        .filter((p) => p.def.manifest.enabled && (p.def.manifest.pullUrl !== null || (config.sandbox && p.def.manifest.sandbox)))
        .map((p) => ({ partner: p.def.code, expression: p.def.manifest.schedule })),
    );
    scheduler.current = jobs;
    ready = true;
    logger.info({ operators: index.operatorCount }, 'gateway ready');

    return {
      url: baseUrl,
      ...services,
      sync,
      outbound: out,
      sandboxKeysFile,
      async close() {
        ready = false;
        for (const t of timers) clearInterval(t);
        await scheduler.current?.stop();
        await outboundJobs.current?.stop();
        await out.close();
        await new Promise<void>((resolve) => {
          listening.close(() => resolve());
          listening.closeIdleConnections();
        });
        // Let a running exchange finish (it is one transaction either way), then close the store.
        const deadline = Date.now() + 30_000;
        while (pipeline.busy && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        await pipeline.close();
        await db.close();
      },
    };
  } catch (err) {
    for (const t of timers) clearInterval(t);
    await outboundJobs.current?.stop();
    await outbound?.close();
    server?.close();
    await pipeline.close();
    await db.close();
    throw err;
  }
}
