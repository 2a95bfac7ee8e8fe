// Server-side request forgery guard: a caller's endpoint may not make Herald call its own
// network. Every address a host name resolves to is checked at connection time (the lookup
// the socket really uses), so a name that re-resolves to 127.0.0.1 later is still refused.
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';

const RANGES: Array<[kind: string, address: string, prefix: number, family: 'ipv4' | 'ipv6']> = [
  ['metadata', '169.254.169.254', 32, 'ipv4'],
  ['metadata', '100.100.100.200', 32, 'ipv4'],
  ['metadata', 'fd00:ec2::254', 128, 'ipv6'],
  ['unspecified', '0.0.0.0', 8, 'ipv4'],
  ['private', '10.0.0.0', 8, 'ipv4'],
  ['private', '100.64.0.0', 10, 'ipv4'],
  ['loopback', '127.0.0.0', 8, 'ipv4'],
  ['link-local', '169.254.0.0', 16, 'ipv4'],
  ['private', '172.16.0.0', 12, 'ipv4'],
  ['reserved', '192.0.0.0', 24, 'ipv4'],
  ['private', '192.168.0.0', 16, 'ipv4'],
  ['reserved', '198.18.0.0', 15, 'ipv4'],
  ['multicast', '224.0.0.0', 4, 'ipv4'],
  ['reserved', '240.0.0.0', 4, 'ipv4'],
  ['unspecified', '::', 128, 'ipv6'],
  ['loopback', '::1', 128, 'ipv6'],
  ['private', 'fc00::', 7, 'ipv6'],
  ['link-local', 'fe80::', 10, 'ipv6'],
  ['multicast', 'ff00::', 8, 'ipv6'],
];

const LISTS = RANGES.map(([kind, address, prefix, family]) => {
  const list = new BlockList();
  list.addSubnet(address, prefix, family);
  return { kind, list };
});

export interface AddressPolicyOptions {
  /** Allow every private, loopback and link-local address (a trusted network only). */
  allowPrivate: boolean;
  /** Host names, IP addresses or CIDR ranges allowed even when they are internal, e.g. "127.0.0.1". */
  allowedHosts: string[];
}

export class AddressRefusedError extends Error {
  readonly code = 'EADDRREFUSED';

  constructor(
    readonly host: string,
    readonly address: string,
    readonly kind: string,
  ) {
    super(`${host} resolves to ${address}, a ${kind} address, which Herald does not call`);
    this.name = 'AddressRefusedError';
  }
}

/** An IPv4 address written as IPv6 (::ffff:127.0.0.1) is checked as the IPv4 address it is. */
function normalise(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const bare = address.replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped) return { address: mapped[1]!, family: 'ipv4' };
  return { address: bare, family: isIP(bare) === 6 ? 'ipv6' : 'ipv4' };
}

export class AddressPolicy {
  private readonly allowedNames = new Set<string>();
  private readonly allowedAddresses = new BlockList();

  constructor(private readonly options: AddressPolicyOptions) {
    for (const entry of options.allowedHosts.map((h) => h.trim()).filter(Boolean)) {
      const [address, prefix] = entry.split('/');
      const family = isIP(address!);
      if (family === 0) this.allowedNames.add(entry.toLowerCase());
      else if (prefix !== undefined) this.allowedAddresses.addSubnet(address!, Number(prefix), family === 6 ? 'ipv6' : 'ipv4');
      else this.allowedAddresses.addAddress(address!, family === 6 ? 'ipv6' : 'ipv4');
    }
  }

  /** The kind of internal address this is ("loopback", "private", …), or undefined when it may be called. */
  refusal(host: string, rawAddress: string): string | undefined {
    if (this.options.allowPrivate || this.allowedNames.has(host.toLowerCase())) return undefined;
    const { address, family } = normalise(rawAddress);
    if (this.allowedAddresses.check(address, family)) return undefined;
    return LISTS.find(({ list }) => list.check(address, family))?.kind;
  }

  /** Throws when the URL names an internal IP address directly (no lookup happens for those). */
  checkLiteral(url: URL): void {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) === 0) return;
    const kind = this.refusal(host, host);
    if (kind) throw new AddressRefusedError(host, host, kind);
  }

  /** A dns.lookup for sockets that fails when any address of the name is internal. */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      for (const { address } of addresses) {
        const kind = this.refusal(hostname, address);
        if (kind) return callback(new AddressRefusedError(hostname, address, kind), '', 0);
      }
      if (addresses.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
      if ((options as { all?: boolean }).all) {
        (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      } else {
        callback(null, addresses[0]!.address, addresses[0]!.family);
      }
    });
  };
}
