// Server-side request forgery guard: a caller's endpoint may not make Herald call its own
// network. Every address a host name resolves to is checked at connection time (the lookup
// the socket really uses), so a name that re-resolves to 127.0.0.1 later is still refused.
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';

type Range = [kind: string, address: string, prefix: number, family: 'ipv4' | 'ipv6'];

// Cloud instance metadata hands out credentials: refused whatever the allow settings say.
const METADATA: Range[] = [
  ['metadata', '169.254.169.254', 32, 'ipv4'], // AWS, GCP, Azure, Oracle, OpenStack, DigitalOcean
  ['metadata', '169.254.170.2', 32, 'ipv4'], // AWS ECS task credentials
  ['metadata', '169.254.170.23', 32, 'ipv4'], // AWS EKS pod identity
  ['metadata', '100.100.100.200', 32, 'ipv4'], // Alibaba Cloud
  ['metadata', 'fd00:ec2::254', 128, 'ipv6'], // AWS over IPv6
  ['metadata', 'fd00:ec2::23', 128, 'ipv6'], // AWS EKS pod identity over IPv6
];

/** Host names of metadata services, refused before any lookup (they resolve to the addresses above). */
export const METADATA_HOST_NAMES: ReadonlySet<string> = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.azure.internal',
]);

const INTERNAL: Range[] = [
  ['unspecified', '0.0.0.0', 8, 'ipv4'],
  ['private', '10.0.0.0', 8, 'ipv4'],
  ['private', '100.64.0.0', 10, 'ipv4'],
  ['loopback', '127.0.0.0', 8, 'ipv4'],
  ['link-local', '169.254.0.0', 16, 'ipv4'],
  ['private', '172.16.0.0', 12, 'ipv4'],
  ['reserved', '192.0.0.0', 24, 'ipv4'],
  ['reserved', '192.0.2.0', 24, 'ipv4'], // documentation
  ['reserved', '192.88.99.0', 24, 'ipv4'], // 6to4 relay anycast
  ['private', '192.168.0.0', 16, 'ipv4'],
  ['reserved', '198.18.0.0', 15, 'ipv4'],
  ['reserved', '198.51.100.0', 24, 'ipv4'], // documentation
  ['reserved', '203.0.113.0', 24, 'ipv4'], // documentation
  ['multicast', '224.0.0.0', 4, 'ipv4'],
  ['reserved', '240.0.0.0', 4, 'ipv4'],
  ['unspecified', '::', 128, 'ipv6'],
  ['loopback', '::1', 128, 'ipv6'],
  // IPv4-compatible addresses (::a.b.c.d) are deprecated and never routed: refused even when the
  // embedded IPv4 (checked first, for a better message) is public. IPv4-mapped ones are judged by theirs.
  ['reserved', '::', 96, 'ipv6'],
  // NAT64: the translator sits in our own network and reaches whatever IPv4 address is embedded,
  // so the whole prefix is refused; an IPv6-only cluster allow-lists it (CUSTOM_API_ALLOWED_HOSTS).
  ['nat64', '64:ff9b::', 96, 'ipv6'],
  ['nat64', '64:ff9b:1::', 48, 'ipv6'],
  ['reserved', '100::', 64, 'ipv6'], // discard-only
  ['reserved', '2001::', 32, 'ipv6'], // Teredo: the embedded IPv4 is obfuscated, so the whole range goes
  ['reserved', '2001:db8::', 32, 'ipv6'], // documentation
  ['private', 'fc00::', 7, 'ipv6'],
  ['link-local', 'fe80::', 10, 'ipv6'],
  ['site-local', 'fec0::', 10, 'ipv6'],
  ['multicast', 'ff00::', 8, 'ipv6'],
];

function listsOf(ranges: Range[]) {
  return ranges.map(([kind, address, prefix, family]) => {
    const list = new BlockList();
    list.addSubnet(address, prefix, family);
    return { kind, list };
  });
}

const METADATA_LISTS = listsOf(METADATA);
const INTERNAL_LISTS = listsOf(INTERNAL);

export interface AddressPolicyOptions {
  /** Allow every private, loopback and link-local address (a trusted network only). Never metadata. */
  allowPrivate: boolean;
  /** Host names, IP addresses or CIDR ranges allowed even when they are internal, e.g. "127.0.0.1". Never metadata. */
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

type Address = { address: string; family: 'ipv4' | 'ipv6' };

/** The 16 bytes of an IPv6 address (any valid textual form), or undefined. */
function ipv6Bytes(text: string): Uint8Array | undefined {
  let canonical: string;
  try {
    // The WHATWG URL parser validates and rewrites a dotted-quad tail into hex groups.
    canonical = new URL(`http://[${text}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
  const [head, tail] = canonical.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    const value = parseInt(group, 16);
    bytes[2 * i] = value >> 8;
    bytes[2 * i + 1] = value & 0xff;
  });
  return bytes;
}

const dotted = (b: Uint8Array, at: number) => `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;

/**
 * The IPv4 address an IPv6 address carries and that a packet to it would end up at, if any:
 * IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64's well-known prefix
 * (64:ff9b::a.b.c.d) and 6to4 (2002:aabb:ccdd::/48).
 */
function embeddedIpv4(bytes: Uint8Array): string | undefined {
  const zeros = (from: number, to: number) => bytes.subarray(from, to).every((b) => b === 0);
  if (bytes[0] === 0 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zeros(4, 12))
    return dotted(bytes, 12);
  if (zeros(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return dotted(bytes, 12);
  if (zeros(0, 12) && !zeros(12, 16) && !(zeros(12, 15) && bytes[15] === 1))
    return dotted(bytes, 12);
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return dotted(bytes, 2);
  return undefined;
}

/** The address itself and, for IPv6 forms that wrap an IPv4 address, that address too. */
function addressesOf(raw: string): Address[] {
  const bare = raw.replace(/^\[|\]$/g, '');
  if (isIP(bare) !== 6) return [{ address: bare, family: 'ipv4' }];
  const bytes = ipv6Bytes(bare);
  const inner = bytes && embeddedIpv4(bytes);
  return inner
    ? [
        { address: inner, family: 'ipv4' },
        { address: bare, family: 'ipv6' },
      ]
    : [{ address: bare, family: 'ipv6' }];
}

export class AddressPolicy {
  private readonly allowedNames = new Set<string>();
  private readonly allowedAddresses = new BlockList();

  constructor(private readonly options: AddressPolicyOptions) {
    for (const entry of options.allowedHosts.map((h) => h.trim()).filter(Boolean)) {
      const [address, prefix] = entry.split('/');
      const family = isIP(address);
      if (family === 0) this.allowedNames.add(entry.toLowerCase());
      else if (prefix !== undefined)
        this.allowedAddresses.addSubnet(address, Number(prefix), family === 6 ? 'ipv6' : 'ipv4');
      else this.allowedAddresses.addAddress(address, family === 6 ? 'ipv6' : 'ipv4');
    }
  }

  /** The kind of internal address this is ("loopback", "private", "metadata", …), or undefined when it may be called. */
  refusal(host: string, rawAddress: string): string | undefined {
    const name = host.toLowerCase().replace(/\.$/, '');
    if (METADATA_HOST_NAMES.has(name)) return 'metadata';
    const addresses = addressesOf(rawAddress);
    for (const { address, family } of addresses) {
      const metadata = METADATA_LISTS.find(({ list }) => list.check(address, family));
      if (metadata) return metadata.kind;
    }
    if (this.options.allowPrivate || this.allowedNames.has(name)) return undefined;
    // The outer (as written) address decides an allow-list match, so allowing 2002::/16 allows 6to4.
    const outer = addresses[addresses.length - 1];
    if (this.allowedAddresses.check(outer.address, outer.family)) return undefined;
    for (const { address, family } of addresses) {
      if (this.allowedAddresses.check(address, family)) continue;
      const kind = INTERNAL_LISTS.find(({ list }) => list.check(address, family))?.kind;
      if (kind) return kind;
    }
    return undefined;
  }

  /** Throws when the URL names an internal IP address or a metadata host directly (before any lookup). */
  checkLiteral(url: URL): void {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) === 0) {
      if (METADATA_HOST_NAMES.has(host.toLowerCase().replace(/\.$/, '')))
        throw new AddressRefusedError(host, host, 'metadata');
      return;
    }
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
      if (addresses.length === 0)
        return callback(
          Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }),
          '',
          0,
        );
      if ((options as { all?: boolean }).all) {
        (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      } else {
        callback(null, addresses[0].address, addresses[0].family);
      }
    });
  };
}
