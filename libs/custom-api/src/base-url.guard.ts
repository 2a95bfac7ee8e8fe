// A provider base URL receives a channel's credentials, so it gets the From-API endpoints' SSRF
// guard too: checked when an operator sets it (a 400 naming the problem) and again by the socket
// lookup at send time, which catches a name that later re-resolves inside.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { AddressPolicy } from './address.guard.js';

export interface BaseUrlRulesOptions {
  /** Production: https only, and loopback is no longer allowed by default. */
  production: boolean;
  /** CUSTOM_API_ALLOWED_HOSTS: the same operator allow-list as From-API endpoints. */
  allowedHosts: string[];
  /** CUSTOM_API_ALLOW_PRIVATE. */
  allowPrivate: boolean;
  /** Base URLs the operator configured (PROVIDER_*_BASE_URL): their hosts are trusted. */
  configuredBaseUrls: string[];
}

export interface BaseUrlRules {
  policy: AddressPolicy;
  httpsOnly: boolean;
}

// Outside production the provider sandbox answers on loopback, so tests and `npm start` work
// without an allow-list; production must name such a host explicitly.
const DEVELOPMENT_HOSTS = ['127.0.0.0/8', '::1', 'localhost'];
const LOOKUP_TIMEOUT_MS = 2_000;

export function baseUrlRules(options: BaseUrlRulesOptions): BaseUrlRules {
  const configuredHosts = options.configuredBaseUrls.flatMap((u) => {
    try {
      return [new URL(u).hostname.replace(/^\[|\]$/g, '')];
    } catch {
      return [];
    }
  });
  return {
    httpsOnly: options.production,
    policy: new AddressPolicy({
      allowPrivate: options.allowPrivate,
      allowedHosts: [
        ...options.allowedHosts,
        ...configuredHosts,
        ...(options.production ? [] : DEVELOPMENT_HOSTS),
      ],
    }),
  };
}

/**
 * What is wrong with `raw` as a provider base URL ("must be https", "resolves to 10.0.0.1, a
 * private address", …), or undefined. A name that does not resolve (yet) is not refused here:
 * the send-time lookup still guards it.
 */
export async function baseUrlProblem(
  raw: unknown,
  rules: BaseUrlRules,
): Promise<string | undefined> {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 2048)
    return 'must be an http(s) URL of at most 2048 characters';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return `must be http(s), not ${url.protocol.replace(':', '')}`;
  if (rules.httpsOnly && url.protocol !== 'https:')
    return 'must be https in production (it carries the channel credentials)';
  if (url.username || url.password) return 'must not carry a user name or password';
  if (url.search || url.hash) return 'must not carry a query or fragment';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const literal = rules.policy.refusal(host, host);
  if (literal && isIP(host) !== 0)
    return `names ${host}, a ${literal} address, which Herald does not call`;
  if (literal === 'metadata')
    return `names ${host}, a cloud metadata service, which Herald does not call`;
  let addresses: Array<{ address: string }>;
  try {
    addresses = await Promise.race([
      lookup(host, { all: true }),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('timeout')), LOOKUP_TIMEOUT_MS).unref(),
      ),
    ]);
  } catch {
    return undefined;
  }
  for (const { address } of addresses) {
    const kind = rules.policy.refusal(host, address);
    if (kind) return `resolves to ${address}, a ${kind} address, which Herald does not call`;
  }
  return undefined;
}
