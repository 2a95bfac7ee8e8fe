// The caller's address for `allowedHosts`. X-Forwarded-For is believed only from configured
// trusted proxies (HERALD_TRUSTED_PROXIES): otherwise any caller could claim an allowed address.
import { BlockList, isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';

export type AddressList = BlockList;

/** Parses IPs / CIDRs; returns the list and the entries that are not valid. */
export function parseAddressList(entries: string[]): { list: BlockList; invalid: string[] } {
  const list = new BlockList();
  const invalid: string[] = [];
  for (const raw of entries) {
    const entry = raw.trim();
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    const max = family === 6 ? 128 : 32;
    const bits = prefix === undefined ? undefined : Number(prefix);
    if (
      family === 0 ||
      extra !== undefined ||
      (prefix !== undefined && (!/^\d{1,3}$/.test(prefix) || bits! > max))
    ) {
      invalid.push(raw);
      continue;
    }
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, bits, type);
  }
  return { list, invalid };
}

export function normalizeIp(ip: string): string {
  return ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}

export function addressIn(list: BlockList, ip: string): boolean {
  const normalized = normalizeIp(ip);
  const family = isIP(normalized);
  if (family === 0) return false;
  return list.check(normalized, family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * The socket's peer, or, when the peer is a trusted proxy, the last X-Forwarded-For hop that is
 * not a trusted proxy itself.
 */
export function callerIp(request: FastifyRequest, trusted: BlockList | null): string {
  const peer = normalizeIp(request.raw.socket?.remoteAddress ?? '');
  if (!trusted || !addressIn(trusted, peer)) return peer;
  const header = request.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((h) => normalizeIp(h.trim()))
    .filter((h) => h.length > 0);
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!addressIn(trusted, hops[i])) return hops[i];
  }
  return hops[0] ?? peer;
}
