import { ConfigError, type Env, integer, text } from './env-parsers.js';

/**
 * The JetStream click log's settings (`CLICKWIRE_NATS_*`). Set `CLICKWIRE_NATS_URL` and the click
 * log is a JetStream stream instead of the embedded SQLite table; see docs/scale-out.md.
 */
export interface NatsConfig {
  /** Server URLs without credentials, e.g. `nats://10.0.0.5:4222`. */
  readonly servers: readonly string[];
  /** From `nats://user:pass@host`; `null` when the URL has none. */
  readonly user: string | null;
  readonly pass: string | null;
  /** From `nats://token@host`. */
  readonly token: string | null;
  readonly stream: string;
  readonly subjectPrefix: string;
  readonly partitions: number;
  readonly replicas: number;
  readonly ackWaitMs: number;
  readonly maxAckPending: number;
  /**
   * How long the stream keeps a raw click whatever happened to it: the longest a processor group
   * may fall behind, and the retention of raw clicks (user agent included) in the log — erasure
   * requests do not reach into the stream.
   */
  readonly maxAgeMs: number;
}

const URL_VARIABLE = 'CLICKWIRE_NATS_URL';
const NAME = /^[A-Za-z0-9_-]{1,64}$/;
const SUBJECT_PREFIX = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/** Parses the settings; `null` when `CLICKWIRE_NATS_URL` is not set. Throws a ConfigError naming a bad one. */
export function loadNatsConfig(env: Env): NatsConfig | null {
  const value = env[URL_VARIABLE]?.trim();
  if (!value) return null;
  const urls = value.split(',').map((entry) => parseServerUrl(entry.trim()));
  const credentials = urls.find((url) => url.username !== '');
  const stream = text(env, 'CLICKWIRE_NATS_STREAM', 'CLICKWIRE_CLICKS');
  if (!NAME.test(stream)) {
    throw new ConfigError('CLICKWIRE_NATS_STREAM', 'letters, digits, _ and - (at most 64)', stream);
  }
  const subjectPrefix = text(env, 'CLICKWIRE_NATS_SUBJECT_PREFIX', 'clickwire.clicks');
  if (!SUBJECT_PREFIX.test(subjectPrefix)) {
    throw new ConfigError(
      'CLICKWIRE_NATS_SUBJECT_PREFIX',
      'dot-separated tokens of letters, digits, _ and -',
      subjectPrefix,
    );
  }
  const replicas = integer(env, 'CLICKWIRE_NATS_REPLICAS', 1, 1, 5);
  return {
    servers: urls.map((url) => `${url.protocol}//${url.host}`),
    user: credentials && credentials.password !== '' ? decodeURIComponent(credentials.username) : null,
    pass: credentials && credentials.password !== '' ? decodeURIComponent(credentials.password) : null,
    token: credentials && credentials.password === '' ? decodeURIComponent(credentials.username) : null,
    stream,
    subjectPrefix,
    partitions: integer(env, 'CLICKWIRE_NATS_PARTITIONS', 16, 1, 1024),
    replicas,
    ackWaitMs: integer(env, 'CLICKWIRE_NATS_ACK_WAIT_MS', 30_000, 1000, 3_600_000),
    maxAckPending: integer(env, 'CLICKWIRE_NATS_MAX_ACK_PENDING', 20_000, 1, 1_000_000),
    maxAgeMs: integer(env, 'CLICKWIRE_NATS_MAX_AGE_HOURS', 168, 1, 8760) * 3_600_000,
  };
}

function parseServerUrl(entry: string): URL {
  const allowed = 'comma-separated nats://host:port (or tls://) URLs';
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    throw new ConfigError(URL_VARIABLE, allowed, entry.replace(/\/\/[^@/]*@/, '//***@'));
  }
  const bare = url.pathname === '' || url.pathname === '/';
  if ((url.protocol !== 'nats:' && url.protocol !== 'tls:') || url.hostname === '' || !bare || url.search) {
    throw new ConfigError(URL_VARIABLE, allowed, redact(url));
  }
  if (url.port === '') url.port = '4222';
  return url;
}

/** The URL as it may appear in an error message: without its password or token. */
function redact(url: URL): string {
  const copy = new URL(url);
  if (copy.password) copy.password = '***';
  else if (copy.username) copy.username = '***';
  return copy.toString();
}
