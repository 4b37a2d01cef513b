import ipaddr from 'ipaddr.js';

/**
 * Small parsers for environment values. Each returns the parsed value or throws a
 * {@link ConfigError} whose message names the variable and what it accepts, so a bad setting stops
 * the process with one readable line instead of surfacing later as a strange failure.
 */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly allowed: string,
    readonly got: string,
  ) {
    super(`${variable}=${JSON.stringify(got)} is not valid: expected ${allowed}`);
    this.name = 'ConfigError';
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

function raw(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  const allowed = `an integer from ${min} to ${max}`;
  if (!/^-?\d+$/.test(value)) throw new ConfigError(name, allowed, value);
  const parsed = Number(value);
  if (parsed < min || parsed > max) throw new ConfigError(name, allowed, value);
  return parsed;
}

export function port(env: Env, name: string, fallback: number): number {
  return integer(env, name, fallback, 0, 65535);
}

export function oneOf<const T extends string>(env: Env, name: string, choices: readonly T[], fallback: T): T {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  const match = choices.find((choice) => choice === value.toLowerCase());
  if (match === undefined) throw new ConfigError(name, `one of ${choices.join(', ')}`, value);
  return match;
}

export function boolean(env: Env, name: string, fallback: boolean): boolean {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  const lower = value.toLowerCase();
  if (lower === 'true' || lower === '1') return true;
  if (lower === 'false' || lower === '0') return false;
  throw new ConfigError(name, 'true or false', value);
}

export function text(env: Env, name: string, fallback: string): string {
  return raw(env, name) ?? fallback;
}

export function optionalSecret(env: Env, name: string, minLength: number): string | null {
  const value = raw(env, name);
  if (value === undefined) return null;
  if (value.length < minLength || /\s/.test(value)) {
    throw new ConfigError(name, `at least ${minLength} characters without spaces`, `${value.slice(0, 4)}…`);
  }
  return value;
}

export function optionalHttpUrl(env: Env, name: string): string | null {
  const value = raw(env, name);
  if (value === undefined) return null;
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.toString();
  } catch {
    // fall through to the error below
  }
  throw new ConfigError(name, 'an absolute http(s) URL', value);
}

/** Comma-separated IP addresses or CIDR ranges, e.g. `10.0.0.0/8, 192.0.2.7`. */
export function cidrList(env: Env, name: string): readonly string[] {
  const value = raw(env, name);
  if (value === undefined) return [];
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of entries) {
    const valid = entry.includes('/') ? isValidCidr(entry) : ipaddr.isValid(entry);
    if (!valid) throw new ConfigError(name, 'a comma-separated list of IP addresses or CIDR ranges', entry);
  }
  return entries;
}

function isValidCidr(entry: string): boolean {
  try {
    ipaddr.parseCIDR(entry);
    return true;
  } catch {
    return false;
  }
}
