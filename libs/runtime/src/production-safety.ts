// NODE_ENV=production refuses what was made for a laptop: the development encryption key, the
// provider sandbox's webhook secrets, URLs on loopback or in plain http. Each is listed with the
// variable that holds it, beside the other configuration problems, so one failed boot says all.
import { isIP } from 'node:net';

/**
 * Values that ship in this repository as development defaults (runtime's encryption key; the
 * provider sandbox's webhook secrets, also in apps/provider-sandbox and apps/gateway/src/webhooks):
 * anyone can read them, so they sign nothing in production, whichever variable holds them.
 */
export const DEVELOPMENT_SECRETS: ReadonlyMap<string, string> = new Map([
  ['herald-local-development-key-not-for-production', 'the development encryption key'],
  ['sandbox-app-secret', "the provider sandbox's Meta app secret"],
  ['sandbox-verify-token', "the provider sandbox's Meta verify token"],
  ['sandbox-auth-token', "the provider sandbox's Twilio auth token"],
]);

/** Every variable of `config` (a loaded config object) whose value, or one of its comma-separated values, is a development secret. */
export function developmentSecretProblems(
  config: Record<string, unknown>,
  variables: string[],
): string[] {
  const problems: string[] = [];
  for (const variable of variables) {
    const value = config[variable];
    if (typeof value !== 'string') continue;
    for (const part of value.split(',').map((v) => v.trim())) {
      const what = DEVELOPMENT_SECRETS.get(part);
      if (what)
        problems.push(`${variable} holds ${what}, which is public: set a secret of your own`);
    }
  }
  return problems;
}

const LOOPBACK_NAMES = new Set(['localhost', 'localhost.localdomain', 'ip6-localhost']);

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (LOOPBACK_NAMES.has(host) || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.') || host === '0.0.0.0';
  if (isIP(host) === 6) return host === '::1' || host === '::' || /^::ffff:(7f|127\.)/.test(host);
  return false;
}

/**
 * Why `url` (held by `variable`) is not fit for production: plain http (what it carries, such as
 * credentials or hook keys, would cross the network in clear) or loopback (the local sandbox,
 * nothing in a cluster). `allowLocal` (HERALD_ALLOW_LOOPBACK_IN_PRODUCTION) lifts both for a
 * one-machine production run such as the benchmark.
 */
export function productionUrlProblems(
  variable: string,
  url: string,
  allowLocal: boolean,
): string[] {
  if (!url || allowLocal) return [];
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return []; // its own validator already names it
  }
  const problems: string[] = [];
  if (isLoopback(parsed.hostname))
    problems.push(`${variable} (${url}) is on loopback, a development default: set the real URL`);
  if (parsed.protocol === 'http:') problems.push(`${variable} (${url}) is plain http: use https`);
  return problems;
}
