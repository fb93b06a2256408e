import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * What the services count on their own paths as plain numbers (no cost when metrics are off);
 * read when /metrics is scraped.
 */
export interface MetricSources {
  keyring: { readonly size: number; readonly hits: number; readonly misses: number };
  trading: { readonly placedCount: number; readonly fillCount: number };
  authenticator: { readonly lockouts: number };
  limits: { readonly blocks: number };
  notifier: { readonly outcomes: { readonly delivered: number; readonly retrying: number; readonly failed: number } };
  sweeper: { readonly runs: number; readonly keysDeleted: number };
}

/** Latency buckets, seconds: 0.25 ms to 2.5 s (a signed read takes well under a millisecond of server time). */
const LATENCY_BUCKETS = [0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

type CounterChild = ReturnType<Counter<'route' | 'method' | 'status'>['labels']>;
type HistogramChild = ReturnType<Histogram<'route' | 'method'>['labels']>;

/** One route's series, resolved once: its latency histogram and a request counter per status. */
interface RouteSeries {
  readonly latency: HistogramChild;
  readonly byStatus: Map<number, CounterChild>;
}

/** The route label of requests no route matched (bounded: never the raw URL). */
const UNMATCHED = '(unmatched)';

/**
 * signet's Prometheus metrics (prom-client), all named `signet_`. The edges call `request`,
 * `authRejected`, `wsOpened`, `wsClosed` and `wsLoginRejected` on their paths with label children resolved once and
 * cached; counters the services keep as plain numbers are read at scrape time.
 *
 * @example
 *   const metrics = new Metrics(sources);
 *   metrics.request('/api/v5/account/balance', 'GET', 200, 0.4); // ms
 *   reply.type(metrics.contentType).send(await metrics.scrape());
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'route' | 'method' | 'status'>;
  private readonly latency: Histogram<'route' | 'method'>;
  private readonly rejections: Counter<'code'>;
  private readonly rejectionsByCode = new Map<string, ReturnType<Counter<'code'>['labels']>>();
  private readonly wsConnections: Gauge;
  private readonly wsDrops: Counter<'code'>;
  private readonly wsDropsByCode = new Map<number, ReturnType<Counter<'code'>['labels']>>();
  private readonly wsLoginRejections: Counter<'code'>;
  private readonly wsLoginRejectionsByCode = new Map<string, ReturnType<Counter<'code'>['labels']>>();
  /** method -> route pattern -> series. */
  private readonly routes = new Map<string, Map<string, RouteSeries>>();

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'signet_' });
    this.requests = new Counter({
      name: 'signet_http_requests_total',
      help: 'HTTP requests answered, by route pattern, method and status',
      labelNames: ['route', 'method', 'status'],
      registers,
    });
    this.latency = new Histogram({
      name: 'signet_http_request_duration_seconds',
      help: 'Time from receiving a request to sending its answer, seconds, by route pattern and method',
      labelNames: ['route', 'method'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.rejections = new Counter({
      name: 'signet_auth_rejections_total',
      help: 'Requests refused by authentication, by OKX code (50113 bad signature, 50011 rate-limited, ...)',
      labelNames: ['code'],
      registers,
    });
    this.wsConnections = new Gauge({
      name: 'signet_ws_connections',
      help: 'Open WebSocket connections',
      registers,
    });
    this.wsDrops = new Counter({
      name: 'signet_ws_disconnects_total',
      help: 'WebSocket connections closed, by close code (1000 normal/idle, 1001 shutdown, 1005 client gone, 1008 too slow, ...)',
      labelNames: ['code'],
      registers,
    });
    this.wsLoginRejections = new Counter({
      name: 'signet_ws_login_rejections_total',
      help: 'WebSocket logins refused, by OKX code (60007 bad signature, 60024 wrong passphrase, 60032 unknown key, 60014 too many attempts, 60030 already logged in, ...)',
      labelNames: ['code'],
      registers,
    });
    const mirror = (name: string, help: string, read: () => number) => {
      let seen = 0;
      new Counter({
        name,
        help,
        registers,
        collect() {
          const value = read();
          if (value > seen) this.inc(value - seen);
          seen = value;
        },
      });
    };
    mirror('signet_orders_placed_total', 'Orders placed through this instance', () => sources.trading.placedCount);
    mirror(
      'signet_fills_total',
      'Fills made by this instance (maker and taker sides)',
      () => sources.trading.fillCount,
    );
    mirror('signet_key_cache_hits_total', 'API-key lookups answered from the key cache', () => sources.keyring.hits);
    mirror('signet_key_cache_misses_total', 'API-key lookups that went to the database', () => sources.keyring.misses);
    mirror('signet_sweeper_runs_total', 'Expiry sweeps run by this instance', () => sources.sweeper.runs);
    mirror(
      'signet_sweeper_keys_deleted_total',
      'Expired keys deleted by this instance',
      () => sources.sweeper.keysDeleted,
    );
    new Gauge({
      name: 'signet_key_cache_size',
      help: 'API keys held in the key cache (at most 100,000)',
      registers,
      collect() {
        this.set(sources.keyring.size);
      },
    });
    const labelled = <L extends string>(
      name: string,
      help: string,
      labelName: string,
      read: () => Record<L, number>,
    ): void => {
      const seen = new Map<string, number>();
      new Counter({
        name,
        help,
        labelNames: [labelName],
        registers,
        collect() {
          for (const [label, value] of Object.entries<number>(read())) {
            const before = seen.get(label) ?? 0;
            if (value > before) this.labels(label).inc(value - before);
            seen.set(label, value);
          }
        },
      });
    };
    labelled(
      'signet_limiter_blocks_total',
      'Rate-limit blocks: requests refused by an endpoint limit (50011), lockouts after failed authentications',
      'limit',
      () => ({ endpoint: sources.limits.blocks, lockout: sources.authenticator.lockouts }),
    );
    labelled(
      'signet_deliveries_total',
      'Webhook and email delivery attempts, by outcome (delivered, retrying, failed)',
      'outcome',
      () => sources.notifier.outcomes,
    );
  }

  /** Counts an answered request; `route` is the route pattern (undefined: no route matched), `ms` its duration. */
  request(route: string | undefined, method: string, status: number, ms: number): void {
    let byRoute = this.routes.get(method);
    if (byRoute === undefined) {
      byRoute = new Map();
      this.routes.set(method, byRoute);
    }
    const pattern = route ?? UNMATCHED;
    let series = byRoute.get(pattern);
    if (series === undefined) {
      series = { latency: this.latency.labels(pattern, method), byStatus: new Map() };
      byRoute.set(pattern, series);
    }
    let counter = series.byStatus.get(status);
    if (counter === undefined) {
      counter = this.requests.labels(pattern, method, String(status));
      series.byStatus.set(status, counter);
    }
    counter.inc();
    series.latency.observe(ms / 1000);
  }

  /** Counts a request refused by authentication with an OKX code. */
  authRejected(code: string): void {
    let counter = this.rejectionsByCode.get(code);
    if (counter === undefined) {
      counter = this.rejections.labels(code);
      this.rejectionsByCode.set(code, counter);
    }
    counter.inc();
  }

  wsOpened(): void {
    this.wsConnections.inc();
  }

  /** A WebSocket connection ended with this close code. */
  wsClosed(code: number): void {
    this.wsConnections.dec();
    let counter = this.wsDropsByCode.get(code);
    if (counter === undefined) {
      counter = this.wsDrops.labels(String(code));
      this.wsDropsByCode.set(code, counter);
    }
    counter.inc();
  }

  /** Counts a WebSocket login refused with an OKX code. */
  wsLoginRejected(code: string): void {
    let counter = this.wsLoginRejectionsByCode.get(code);
    if (counter === undefined) {
      counter = this.wsLoginRejections.labels(code);
      this.wsLoginRejectionsByCode.set(code, counter);
    }
    counter.inc();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The text exposition of every metric. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }
}
