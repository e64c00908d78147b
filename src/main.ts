// Wiring only: config → store → registry/catalog → index → pipeline → jobs → http.
import path from 'node:path';
import type { Logger } from 'pino';
import { PARTNERS_CHANNEL, PartnerCatalog } from './catalog/repository.js';
import { ConfigError, type Config } from './config.js';
import { directoryProblems } from './config-files.js';
import { AppError } from './errors.js';
import type { Partners } from './exchange/partners.js';
import { DistributionPointCrls } from './exchange/crl-fetch.js';
import { InboundPipeline } from './exchange/pipeline.js';
import { partnerLockKey } from './exchange/locks.js';
import { PartnerSync } from './exchange/sync.js';
import { holdPublish } from './exchange/hold-publish.js';
import { createApp } from './http/app.js';
import { ACCESS, Authenticator } from './http/auth.js';
import { auditRoutes } from './http/routes/audit.js';
import { certificateRoutes } from './http/routes/certificates.js';
import { rateLimiter } from './http/rate-limit.js';
import { openFrontDoor, type FrontDoor } from './http/front-door.js';
import { startingApp } from './http/starting-app.js';
import type { DatabaseState } from './http/routes/health.js';
import { DomesticPull } from './domestic/pull.js';
import { DomesticRegister } from './domestic/register.js';
import { domesticRoutes } from './http/routes/domestic.js';
import { outboundRoutes } from './http/routes/outbound.js';
import { outboundExchangeRoutes } from './http/routes/outbound-exchange.js';
import { sandboxOutboundRoutes } from './http/routes/sandbox-outbound.js';
import { exchangeRoutes, type PartnerStatus } from './http/routes/exchanges.js';
import { consoleRoutes } from './http/routes/console.js';
import { exchangeReviewRoutes } from './http/routes/exchange-review.js';
import { healthRoutes } from './http/routes/health.js';
import { metricsRoutes } from './http/routes/metrics.js';
import { openApiRoutes } from './http/routes/openapi.js';
import { operatorRoutes } from './http/routes/operators.js';
import { partnerRoutes } from './http/routes/partners.js';
import { recognitionRoutes } from './http/routes/recognition.js';
import { registryRoutes } from './http/routes/registry.js';
import { sandboxRoutes } from './http/routes/sandbox.js';
import { whoamiRoutes } from './http/routes/whoami.js';
import { RetentionJob } from './jobs/retention.js';
import { Scheduler } from './jobs/scheduler.js';
import { OutboundService } from './outbound/service.js';
import { prepareRsaKeys } from './crypto/index.js';
import { openOutboundSigner, signerKeysToGenerate, usesGeneratedSigner } from './outbound/signer.js';
import { sandboxRegister } from './sandbox/domestic.js';
import { SandboxHkPuller } from './sandbox/outbound-partners.js';
import { isStale } from './lookup/freshness.js';
import { OperatorIndex } from './lookup/operator-index.js';
import { LookupService } from './lookup/service.js';
import { GatewayMetrics } from './metrics/gateway-metrics.js';
import { scheduleExpiryWarnings } from './ops/certificate-warnings.js';
import { CertificateInventory, readOwnSigning } from './ops/certificates.js';
import { healthOf, readPartnerFacts } from './ops/partner-facts.js';
import { draftFacts, PartnerOnboarding } from './onboarding/service.js';
import { Registry, REGISTRY_CHANNEL } from './registry/registry.js';
import { ensureSandboxKeys } from './sandbox/keys.js';
import { SANDBOX_PARTNERS } from './sandbox/population.js';
import { SandboxSimulator, simulatorKeysToGenerate } from './sandbox/simulator.js';
import { sandboxListApplied } from './sandbox/startup.js';
import type { Db } from './store/db.js';
import { failInterruptedRuns, latestOutcomes } from './store/exchanges-repo.js';
import { databaseTarget, probeDatabase } from './store/availability.js';
import { retryWhileUnavailable } from './store/wait-for-database.js';
import { embeddedDbDir, openDb } from './store/open.js';

export const PUBLISHED_CHANNEL = 'aeo_published';
const SAFETY_REFRESH_MS = 30_000;
/** How often each process checks for an activation it missed (NOTIFY is best effort). */
const CATALOG_CHECK_MS = 1_000;

export interface Gateway {
  readonly url: string;
  readonly db: Db;
  readonly registry: Registry;
  readonly partners: Partners;
  readonly catalog: PartnerCatalog;
  readonly onboarding: PartnerOnboarding;
  readonly pipeline: InboundPipeline;
  readonly sync: PartnerSync;
  readonly lookup: LookupService;
  readonly index: OperatorIndex;
  readonly sandbox: SandboxSimulator | null;
  readonly retention: RetentionJob;
  readonly domestic: DomesticRegister;
  readonly outbound: OutboundService;
  /** Where generated sandbox keys were written, when they were. */
  readonly sandboxKeysFile: string | null;
  close(): Promise<void>;
}

/** Opens the services without HTTP (the CLI's import and lookup commands use this too). */
export async function openServices(config: Readonly<Config>, logger: Logger, sandboxKeysReady: Promise<void> = Promise.resolve()) {
  const db = await openDb({ databaseUrl: config.databaseUrl, embeddedDir: embeddedDbDir(config.dataDir) });
  try {
    const registry = await Registry.open(db, { dataFile: path.join(config.partnersDir, 'agreements.json'), schemasDir: config.schemasDir });
    await sandboxKeysReady;
    const sandbox = config.sandbox ? SandboxSimulator.open(config.dataDir, config.timeZone) : null;
    const extraAnchors = new Map<string, string>();
    if (sandbox) for (const p of SANDBOX_PARTNERS) extraAnchors.set(p, sandbox.anchorDir(p));
    // Partners come from their active versions in the database; the files seed version 1.
    const catalog = new PartnerCatalog({ db, logger, extraAnchorDirs: extraAnchors });
    await catalog.open({ partnersDir: config.partnersDir, schemasDir: config.schemasDir, certsDir: config.certsDir }, () => draftFacts(registry, catalog.partners));
    const partners = catalog.partners;
    const index = new OperatorIndex(db, () => partners.all().map((p) => p.def.code));
    const distributionPointCrls = config.crlFetch ? new DistributionPointCrls(db, logger) : undefined;
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
      distributionPointCrls,
      checkInWorker: true,
      ...(config.holdPublishFile === null ? {} : { inPublish: holdPublish(config.holdPublishFile) }),
      currentOperators: (partner) => ({ lastEventId: index.lastEventIdOf(partner), current: () => index.currentOf(partner) }),
    });
    const onboarding = new PartnerOnboarding({ db, logger, catalog, registry, pipeline, index, timeZone: config.timeZone });
    const domestic = new DomesticRegister(db);
    return { db, registry, partners, catalog, onboarding, sandbox, index, lookup, pipeline, distributionPointCrls, domestic };
  } catch (err) {
    await db.close();
    throw err;
  }
}

export interface GatewayOptions {
  /** false: no /metrics and no request timing (the benchmark's baseline); default true. */
  metrics?: boolean;
  /** Aborted (SIGTERM during start-up): the start stops at its next step and closes what it opened. */
  signal?: AbortSignal;
}

/** Thrown by startGateway when its `signal` aborted the start: everything it opened is closed again. */
export class StartAborted extends Error {
  constructor() {
    super('The start was stopped.');
    this.name = 'StartAborted';
  }
}

export async function startGateway(config: Readonly<Config>, logger: Logger, options: GatewayOptions = {}): Promise<Gateway> {
  const { signal } = options;
  // A signal during start-up (SIGTERM) stops at the next step; the catches close what was opened.
  const continueStart = (): void => {
    if (signal?.aborted) throw new StartAborted();
  };
  // Bad directories or a partner without anchors stop the start before the database is opened.
  const problems = await directoryProblems(config);
  if (problems.length > 0) throw new ConfigError(problems);
  // Our signing key next: bad or missing files stop the start before anything else is opened. The
  // sandbox's generated keys (first start) are made on the thread pool while the database opens.
  const keysReady = config.sandbox ? prepareRsaKeys(simulatorKeysToGenerate(config.dataDir) + signerKeysToGenerate(config)) : Promise.resolve();
  keysReady.catch(() => undefined); // awaited (and its error thrown) once the database is open
  const signer = usesGeneratedSigner(config) ? null : openOutboundSigner(config);
  // The port opens before the database: while the start waits for an unreachable server, /healthz
  // answers and /readyz (503) says why; every other route answers 503 NOT_READY.
  let database: DatabaseState = 'up';
  const front = await openFrontDoor(startingApp(logger, () => database), { port: config.port, host: config.host, requestTimeoutMs: config.requestTimeoutMs });
  logger.info({ port: front.port, sandbox: config.sandbox }, 'gateway listening');
  try {
    return await retryWhileUnavailable(
      () =>
        startOnce(config, logger, options, {
          signer,
          keysReady,
          front,
          continueStart,
          connected: () => {
            database = 'up';
          },
        }),
      {
        logger,
        target: config.databaseUrl === null ? 'embedded' : databaseTarget(config.databaseUrl),
        signal,
        stopIfAborted: continueStart,
        onUnavailable: () => {
          database = 'unavailable';
        },
      },
    );
  } catch (err) {
    await front.close();
    throw err;
  }
}

interface StartContext {
  /** null: the sandbox's generated signer, opened once keysReady. */
  signer: ReturnType<typeof openOutboundSigner> | null;
  keysReady: Promise<void>;
  front: FrontDoor;
  continueStart: () => void;
  /** Called once the database answered (the starting app's /readyz says so). */
  connected: () => void;
}

/** One attempt at the database-dependent start; closes what it opened when it fails. */
async function startOnce(config: Readonly<Config>, logger: Logger, options: GatewayOptions, ctx: StartContext): Promise<Gateway> {
  const { front, continueStart } = ctx;
  const services = await openServices(config, logger, ctx.keysReady);
  const signer = ctx.signer ?? openOutboundSigner(config);
  ctx.connected();
  const { db, registry, partners, catalog, onboarding, sandbox, index, lookup, pipeline, distributionPointCrls, domestic } = services;
  const timers: NodeJS.Timeout[] = [];
  let served = false;
  let ready = false;
  const scheduler = { current: null as Scheduler | null };
  const retention = new RetentionJob({ db, logger, days: config.messageRetentionDays });
  const outboundJobs = { current: null as Scheduler | null };
  const domesticJobs = { current: null as Scheduler | null };
  let outbound: OutboundService | null = null;

  try {
    continueStart();
    let keys = config.apiKeys;
    let sandboxKeysFile: string | null = null;
    if (keys.length === 0) {
      const generated = ensureSandboxKeys(config.dataDir, partners.all().map((p) => p.def.code));
      keys = generated.keys;
      sandboxKeysFile = generated.file;
      logger.info({ file: generated.file }, 'sandbox API keys are in this file (mode 0600)');
    }
    const auth = new Authenticator(keys);
    const ownSigning = readOwnSigning(config.signingCertFile);
    const certificates = new CertificateInventory({ db, partners, ownSigning: () => ownSigning });
    const metrics =
      options.metrics === false
        ? null
        : new GatewayMetrics({
            db,
            partners,
            index,
            decisions: lookup.decisions,
            registryPartners: () => registry.snapshot().agreements.map((a) => a.partner),
            timeZone: config.timeZone,
            certificates: () => certificates.list(),
          });
    if (metrics) pipeline.onRunFinished((run) => metrics.exchangeFinished(run));

    // Runs a dead process left unfinished end FAILED, unless another process is running them now.
    for (const p of partners.all()) {
      await db.tryWithLock(partnerLockKey(p.def.code, 'run'), () => failInterruptedRuns(db, p.def.code));
    }
    await domestic.recoverInterrupted();
    await index.refresh();
    continueStart();
    // The first list must not wait for the check worker to compile the partner schemas.
    await pipeline.warmUp();
    continueStart();
    const refreshIndex = (partner?: string): void => void index.refresh(partner).catch((err: unknown) => logger.error({ err }, 'index refresh failed'));
    const reloadRegistry = (): void => void registry.reload().catch((err: unknown) => logger.error({ err }, 'registry reload failed'));
    const reloadCatalog = (): void => void catalog.reload().catch((err: unknown) => logger.error({ err }, 'partner catalog reload failed'));
    await db.listen(PUBLISHED_CHANNEL, (partner) => refreshIndex(partner));
    await db.listen(PARTNERS_CHANNEL, reloadCatalog);
    await db.listen(REGISTRY_CHANNEL, reloadRegistry);
    timers.push(setInterval(() => void catalog.checkForChanges().catch(() => undefined), CATALOG_CHECK_MS).unref());
    // NOTIFY is best effort: whatever was sent while the listener was down is read again on
    // reconnect, and now and then regardless.
    const catchUp = (): void => {
      reloadCatalog();
      refreshIndex();
      reloadRegistry();
    };
    db.onReconnect(() => {
      logger.warn('database listener reconnected; catching up');
      catchUp();
    });
    timers.push(setInterval(catchUp, SAFETY_REFRESH_MS).unref());
    distributionPointCrls?.start();

    const baseUrl = `http://127.0.0.1:${front.port}`;
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
      register: domestic.cache,
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
      const now = Date.now();
      const facts = await readPartnerFacts(db, partners.all().map((p) => p.def.code));
      return Promise.all(partners.all().map(async (p) => {
        const data = index.partner(p.def.code);
        return {
          code: p.def.code,
          agreementId: p.def.manifest.agreementId,
          enabled: p.def.manifest.enabled,
          lastSuccessAt: data?.lastSuccessAt == null ? null : new Date(data.lastSuccessAt).toISOString(),
          dataAsOf: data?.lastGeneratedAt ?? null,
          lastSequence: data?.lastSequence ?? null,
          operatorCount: data?.operatorCount ?? 0,
          stale: isStale(data, p.def.manifest.freshnessHours, Date.now()),
          nextRunAt: scheduler.current?.nextRunAt(p.def.code)?.toISOString() ?? null,
          lastOutcome: outcomes.get(p.def.code) ?? null,
          health: healthOf(p, facts.get(p.def.code), config.timeZone, now),
          definitionVersion: catalog.statusOf(p.def.code)?.version ?? null,
          definitionError: catalog.statusOf(p.def.code)?.loadError ?? null,
          outbound: await out.partnerBlock(p.def.code, outboundJobs.current?.nextRunAt(p.def.code) ?? null),
        };
      }));
    };

    const app = createApp(logger, [
      // A token with several scopes is limited as its first one.
      (r) => r.use(rateLimiter(config.rateLimits, (token) => auth.identify(token)?.scope ?? null)),
      (r) => healthRoutes(r, { indexLoaded: () => ready && index.loaded, database: () => probeDatabase(db) }),
      (r) => {
        // First after health: the clearance systems' routes are matched before the admin ones. Through the error mapper: a 503 carries Retry-After.
        r.use('/v1/recognition', (_req, _res, next) => next(ready ? undefined : new AppError('NOT_READY', 'The lookup index is still loading.')));
        recognitionRoutes(r, auth, lookup);
      },
      (r) => openApiRoutes(r, auth),
      (r) => whoamiRoutes(r, auth),
      (r) => auditRoutes(r, auth, db),
      (r) => registryRoutes(r, { auth, db, logger, registry, today, exchangeOf }),
      (r) => partnerRoutes(r, { auth, onboarding, db, logger }),
      (r) =>
        exchangeRoutes(r, {
          auth,
          db,
          logger,
          partners,
          pipeline,
          partnerStatuses,
          syncNow: async (code, recorder) => {
            const run = await sync.sync(code, 'manual', recorder);
            if (run === null) throw new AppError('CONFLICT', `A sync of ${code} is already running.`);
            return run;
          },
        }),
      (r) => certificateRoutes(r, auth, () => certificates.list()),
      ...(metrics ? [(r: Parameters<typeof metricsRoutes>[0]) => metricsRoutes(r, auth, metrics)] : []),
      (r) => operatorRoutes(r, { db, lookup, partners, canRead: auth.requireScopes(...ACCESS.read) }),
      (r) => exchangeReviewRoutes(r, { db, pipeline, canRead: auth.requireScopes(...ACCESS.read), canDownload: auth.requireScopes(...ACCESS.operate) }),
      (r) => consoleRoutes(r, { timeZone: config.timeZone, sandbox: config.sandbox }),
      (r) => domesticRoutes(r, { auth, db, logger, register: domestic }),
      (r) => outboundRoutes(r, { auth, db, logger, outbound: out }),
      (r) => outboundExchangeRoutes(r, { auth, outbound: out, anchorsPem: () => signer.anchorsPem }),
      // Before sandboxRoutes: /sandbox/domestic/advance must not be taken for a partner's advance.
      ...(sandbox ? [(r: Parameters<typeof sandboxRoutes>[0]) => sandboxOutboundRoutes(r, { sim: sandbox, register: domestic, anchorsPem: () => signer.anchorsPem, timeZone: config.timeZone })] : []),
      ...(sandbox ? [(r: Parameters<typeof sandboxRoutes>[0]) => sandboxRoutes(r, sandbox)] : []),
    ], metrics ? [metrics.httpMiddleware()] : []);

    front.serve(app);
    served = true;
    logger.info({ port: front.port, engine: db.engine }, 'gateway serving its routes');

    if (config.syncOnStart) {
      for (const p of partners.all()) {
        if (!p.def.manifest.enabled) continue;
        continueStart();
        try {
          if (sandbox && (await sandboxListApplied(db, sandbox, p.def.code))) {
            logger.info({ partner: p.def.code }, 'startup sync skipped: the sandbox list is already applied');
            continue;
          }
          const run = await sync.sync(p.def.code, 'startup');
          logger.info({ partner: p.def.code, outcome: run?.outcome ?? 'SKIPPED' }, 'startup sync');
        } catch (err) {
          logger.warn({ err, partner: p.def.code }, 'startup sync not possible');
        }
      }
    }
    continueStart();
    if (config.syncOnStart) {
      // The first FULL to each partner goes out before ready (sandbox: acknowledged by the simulators).
      for (const code of out.partnerCodes()) {
        try {
          if (!(await out.dueAtStart(code))) {
            logger.info({ partner: code }, 'startup outbound skipped: nothing changed since its last batch');
            continue;
          }
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
    if (config.domesticPull) {
      // China's register from AEO_DOMESTIC_URL; one process runs each scheduled pull (DomesticPull's lock).
      const pull = new DomesticPull({ db, register: domestic, logger, url: config.domesticPull.url, maxBytes: config.domesticPull.maxBytes });
      domesticJobs.current = new Scheduler({ sync: () => pull.run() }, config.timeZone, logger, 'domestic-pull');
      domesticJobs.current.start([{ partner: 'CN', expression: config.domesticPull.schedule }]);
    }
    const jobs = new Scheduler(sync, config.timeZone, logger);
    const schedules = () =>
      partners
        .all()
        .filter((p) => p.def.manifest.enabled && (p.def.manifest.pullUrl !== null || (config.sandbox && p.def.manifest.sandbox)))
        .map((p) => ({ partner: p.def.code, expression: p.def.manifest.schedule }));
    jobs.start(schedules());
    scheduler.current = jobs;
    retention.start();
    timers.push(scheduleExpiryWarnings(logger, () => certificates.list()));
    // Another version active: its schedule may differ, and the worker compiles it before the next list.
    catalog.onChange(() => {
      void jobs.replan(schedules()).catch((err: unknown) => logger.error({ err }, 'schedules not re-planned'));
      void pipeline.warmUp().catch(() => undefined);
    });
    ready = true;
    logger.info({ operators: index.operatorCount, engine: db.engine }, 'gateway ready');

    return {
      url: baseUrl,
      ...services,
      sync,
      retention,
      outbound: out,
      sandboxKeysFile,
      async close() {
        ready = false;
        for (const t of timers) clearInterval(t);
        retention.stop();
        distributionPointCrls?.stop();
        await scheduler.current?.stop();
        await outboundJobs.current?.stop();
        await domesticJobs.current?.stop();
        await out.close();
        await front.close();
        // Let a running exchange finish (it is one transaction either way), then close the store.
        const deadline = Date.now() + 30_000;
        while (pipeline.busy && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        await pipeline.close();
        await db.close();
      },
    };
  } catch (err) {
    for (const t of timers) clearInterval(t);
    distributionPointCrls?.stop();
    await outboundJobs.current?.stop();
    await domesticJobs.current?.stop();
    await outbound?.close();
    if (served) front.reset();
    await pipeline.close();
    await db.close();
    throw err;
  }
}
