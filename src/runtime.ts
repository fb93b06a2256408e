import { randomUUID } from 'node:crypto';
import type { Config } from './config.js';
import { loadMasterKey } from './security/master-key.js';
import { PassphraseVerifier } from './security/passphrase-verifier.js';
import { SecretBox } from './security/secret-box.js';
import { AddressBook } from './services/address-book.js';
import { AlgoService } from './services/algo-service.js';
import { AppService } from './services/app-service.js';
import { Authenticator } from './services/authenticator.js';
import { CancelAfterService } from './services/cancel-after-service.js';
import type { AppDeps } from './services/container.js';
import { FundingService } from './services/funding-service.js';
import { GatewayTokens } from './services/gateway-tokens.js';
import { Health } from './services/health.js';
import { KeyService, type KeyView } from './services/key-service.js';
import { Keyring } from './services/keyring.js';
import { LedgerService } from './services/ledger-service.js';
import { memoryLimiters, redisLimiters } from './services/limiters.js';
import { type Mailer, smtpMailer } from './services/mailer.js';
import { MarketData } from './services/market-data.js';
import { MarketMaker } from './services/market-maker.js';
import { Metrics } from './services/metrics.js';
import { Notifier } from './services/notifier.js';
import { RateLimits } from './services/rate-limits.js';
import { RejectionLog } from './services/rejection-log.js';
import { RejectionRecorder } from './services/rejection-recorder.js';
import { SessionService } from './services/session-service.js';
import { SubAccountKeys } from './services/subaccount-keys.js';
import { SubAccountService } from './services/subaccount-service.js';
import { TotpService } from './services/totp-service.js';
import { TradingService } from './services/trading-service.js';
import { UsageTracker } from './services/usage-tracker.js';
import { UserService } from './services/user-service.js';
import { WebhookService } from './services/webhook-service.js';
import { openStore } from './store/open.js';
import type { Store } from './store/store.js';

/** How often due cancel-all-after countdowns are looked for, ms (OKX: canceling "may take up to a few seconds"). */
const CANCEL_AFTER_CHECK_MS = 500;
/** A start warms the key cache with the keys used within this long, ms (a day). */
const KEY_WARM_WITHIN_MS = 86_400_000;

/** The services of one process, wired once; shared by `serve` and every CLI command. */
export interface Runtime {
  config: Config;
  store: Store;
  keyring: Keyring;
  usage: UsageTracker;
  rejections: RejectionRecorder;
  keys: KeyService;
  apps: AppService;
  users: UserService;
  /** Sub-accounts of master accounts (create, list, freeze). */
  subAccounts: SubAccountService;
  ledger: LedgerService;
  trading: TradingService;
  algos: AlgoService;
  funding: FundingService;
  /** The built-in market maker, or null when SIGNET_MARKET_MAKER=0. */
  marketMaker: MarketMaker | null;
  sessions: SessionService;
  totp: TotpService;
  addresses: AddressBook;
  /** Accounts' webhooks; the notifier turns the audit log into webhook and email deliveries. */
  webhooks: WebhookService;
  notifier: Notifier;
  /** The gateway's service tokens (signet gateway token …). */
  gatewayTokens: GatewayTokens;
  appDeps: AppDeps;
  /** Prometheus metrics when SIGNET_METRICS=1, else null. */
  metrics: Metrics | null;
  /** Readiness (/readyz); `stop()` at the start of a clean stop. */
  health: Health;
  /**
   * Key-cache sync (polling, plus push where the store has it), usage flush, catching up books
   * written by other instances, and the cluster-wide jobs: the expiry sweeper (once per
   * SIGNET_SWEEP_MS across all instances) and the market maker (on the instance holding its lease).
   * `onSweep` is called with each batch of keys the sweeper deletes, as it is deleted.
   */
  startBackground(onSweep: (deleted: KeyView[]) => void): Promise<void>;
  /** Flushes usage and closes the store. */
  close(): Promise<void>;
}

export async function openRuntime(config: Config, now: () => number = Date.now): Promise<Runtime> {
  const store = await openStore(config);
  const box = new SecretBox(loadMasterKey(config.masterKeyHex, config.dataDir));
  // One keyed passphrase verifier for every instance: no slow hash per key after a start (issue 19).
  const verifier = await PassphraseVerifier.open(store, box);
  const keyring = new Keyring(store, box, verifier, config.keyCache);
  const usage = new UsageTracker(store);
  const rejections = new RejectionRecorder(store);
  const keys = new KeyService(store, box, config.expiry, config.keyPolicy, verifier);
  const apps = new AppService(store, keys);
  const users = new UserService(store);
  const subAccounts = new SubAccountService(store);
  const ledger = new LedgerService(store);
  const trading = new TradingService(store, ledger, config.fees);
  const cancelAfter = new CancelAfterService(store, trading);
  const algos = new AlgoService(store, trading, ledger, now);
  const marketMaker = config.marketMaker.enabled
    ? new MarketMaker(store, users, ledger, trading, {
        seed: config.marketMaker.seed,
        levels: 10,
        spread: '0.0005',
        levelValueUsd: '20000',
      })
    : null;
  const funding = new FundingService(store, ledger, config.withdrawalSettleMs);
  /** True on the instance running the market maker (it holds the lease). */
  let marketMakerStarted = false;
  // The walk's reference price is known where the market maker runs; elsewhere the ticker falls back to the book's mid.
  const market = new MarketData(
    store,
    trading,
    (instId) => (marketMakerStarted ? marketMaker?.price(instId) : undefined),
    now,
  );
  const sessions = new SessionService(store, config.sessionTtlMs);
  const totp = new TotpService(store, box);
  const addresses = new AddressBook(store);
  const mailer: Mailer | null =
    config.notify.smtpUrl === null ? null : smtpMailer(config.notify.smtpUrl, config.notify.mailFrom);
  const webhooks = new WebhookService(store, box);
  const gatewayTokens = new GatewayTokens(store);
  const notifier = new Notifier(store, box, {
    mailer,
    retryFirstMs: config.notify.retryFirstMs,
    expiry: config.expiry,
  });
  const limiters =
    config.redisUrl === null ? memoryLimiters() : await redisLimiters(config.redisUrl, config.redisPrefix);
  const authenticator = new Authenticator(
    keyring,
    usage,
    {
      timestampWindowMs: config.timestampWindowMs,
      failsPerIp: config.authFailsPerIp,
      failsPerKey: config.authFailsPerKey,
    },
    rejections,
    limiters,
  );
  await keyring.start();
  await ledger.start();
  await trading.start();
  await algos.start(now());
  await funding.start();
  await market.start();
  const timers: NodeJS.Timeout[] = [];
  let closed = false;
  /** Sweeps this instance ran and the keys they deleted (read by /metrics). */
  const sweeper = { runs: 0, keysDeleted: 0 };
  const limits = new RateLimits(config.rateLimits, limiters);
  const metrics = config.metrics.enabled
    ? new Metrics({ keyring, trading, authenticator, limits, notifier, sweeper })
    : null;
  const health = new Health(store);

  /** Identifies this process in leases (e.g. which instance runs the market maker). */
  const instanceId = randomUUID();
  const sweep = async (onSweep: (deleted: KeyView[]) => void): Promise<void> => {
    await usage.flush();
    await rejections.flush(now());
    // One instance sweeps per interval; the others find the interval claimed.
    if (!(await store.claimInterval('sweep', now(), config.sweepMs))) return;
    await sessions.sweep(now());
    // Warnings first: a key about to be deleted is warned a day (and a week) before.
    await notifier.warn(now());
    // Batch by batch: the keys are counted and handed on as each batch is deleted, so a sweep of
    // 100,000 keys never turns into one burst of views and log lines between two requests.
    await keys.sweep(now(), (deleted) => {
      sweeper.keysDeleted += deleted.length;
      onSweep(deleted);
    });
    sweeper.runs++;
  };
  const makeMarket = async (): Promise<void> => {
    if (marketMaker === null) return;
    // A lease of three intervals: if its holder stops, another instance takes over.
    if (!(await store.holdLease('market-maker', instanceId, now(), 3 * config.marketMaker.intervalMs))) return;
    if (marketMakerStarted) return marketMaker.refresh(now());
    marketMakerStarted = true;
    await marketMaker.start(now());
  };
  /** Background runs under way: close() waits for them (a market-maker run could otherwise retake its lease after the release). */
  const running = new Set<Promise<unknown>>();
  const every = (ms: number, task: () => Promise<unknown>, onError: (err: unknown) => void): void => {
    let busy = false;
    const timer = setInterval(() => {
      if (busy || closed) return;
      busy = true;
      const run = task()
        .catch(onError)
        .finally(() => {
          busy = false;
          running.delete(run);
        });
      running.add(run);
    }, ms);
    timer.unref();
    timers.push(timer);
  };

  return {
    config,
    store,
    keyring,
    usage,
    rejections,
    keys,
    apps,
    users,
    subAccounts,
    ledger,
    sessions,
    totp,
    addresses,
    webhooks,
    notifier,
    gatewayTokens,
    trading,
    algos,
    funding,
    marketMaker,
    metrics,
    health,
    appDeps: {
      config,
      authenticator,
      keyring,
      keys,
      subAccountKeys: new SubAccountKeys(store, keys),
      apps,
      users,
      subAccounts,
      ledger,
      sessions,
      totp,
      addresses,
      webhooks,
      notifier,
      trading,
      cancelAfter,
      algos,
      market,
      funding,
      gatewayTokens,
      limits,
      limiters,
      rejectionLog: new RejectionLog(),
      metrics,
      health,
      now,
    },
    async startBackground(onSweep) {
      await sweep(onSweep);
      const report = (err: unknown) =>
        console.error('background task failed:', err instanceof Error ? err.message : err);
      // The keys used in the last day, most recent first, up to the cache's size, loaded in the
      // background: traffic after a restart finds them cached within seconds (nothing waits for it).
      const warming = keyring.warm(now(), KEY_WARM_WITHIN_MS, () => closed).catch(report);
      running.add(warming);
      void warming.finally(() => running.delete(warming));
      // Pushed key changes (PostgreSQL NOTIFY) are picked up at once; the poll below is the fallback.
      await store.onKeyChanges(() => {
        keyring.sync().catch(report);
      });
      every(config.keySyncMs, () => Promise.all([keyring.sync(), ledger.sync()]), report);
      // Order and algo changes made by other instances reach this one's subscribers.
      every(config.bookSyncMs, () => Promise.all([trading.sync(), algos.catchUp()]), report);
      // Placements abandoned by a stopped instance, attached TP/SL whose parent finished elsewhere.
      every(Math.max(1000, config.bookSyncMs), () => algos.sync(now()), report);
      every(config.usageFlushMs, () => Promise.all([usage.flush(), rejections.flush(now())]), report);
      // Checked four times per interval, run once per interval cluster-wide.
      every(Math.max(250, Math.floor(config.sweepMs / 4)), () => sweep(onSweep), report);
      // Each pending withdrawal moves once: the store's transition is conditional on its state.
      every(Math.max(10, Math.min(1000, config.withdrawalSettleMs)), () => funding.settlePending(now()), report);
      // Dead man's switches: countdowns are stored, so any instance fires them (one per interval).
      every(CANCEL_AFTER_CHECK_MS, () => cancelAfter.fireDue(now(), CANCEL_AFTER_CHECK_MS), report);
      // Webhook and email deliveries: audit entries become stored deliveries, due ones are sent.
      every(
        config.notify.intervalMs,
        async () => {
          await notifier.dispatch(now());
          await notifier.send(now());
        },
        report,
      );
      if (marketMaker !== null) {
        await makeMarket();
        every(config.marketMaker.intervalMs, makeMarket, report);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const t of timers) clearInterval(t);
      await Promise.all(running);
      // Another instance takes the market maker over at its next interval rather than after the lease lapses.
      if (marketMakerStarted) await store.releaseLease('market-maker', instanceId).catch(() => undefined);
      await usage.flush();
      await rejections.flush(now());
      await limiters.close();
      mailer?.close();
      await store.close();
    },
  };
}
