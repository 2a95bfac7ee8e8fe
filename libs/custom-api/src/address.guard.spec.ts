import { describe, expect, it } from '@jest/globals';
import { AddressPolicy, AddressRefusedError } from './address.guard.js';

describe('AddressPolicy (SSRF guard)', () => {
  const strict = new AddressPolicy({ allowPrivate: false, allowedHosts: [] });

  it('names the kind of every internal address and lets public ones through', () => {
    const kinds = Object.fromEntries(
      [
        '127.0.0.1',
        '::1',
        '::ffff:127.0.0.1',
        '10.0.0.1',
        '172.31.255.255',
        '192.168.1.1',
        '100.64.0.1',
        '169.254.169.254',
        '169.254.1.1',
        '100.100.100.200',
        'fd00:ec2::254',
        'fc00::1',
        'fe80::1',
        '0.0.0.0',
        '224.0.0.1',
        '255.255.255.255',
        '8.8.8.8',
        '2606:4700::1111',
        '172.32.0.1',
      ].map((a) => [a, strict.refusal('host', a) ?? 'public']),
    );
    expect(kinds).toEqual({
      '127.0.0.1': 'loopback',
      '::1': 'loopback',
      '::ffff:127.0.0.1': 'loopback',
      '10.0.0.1': 'private',
      '172.31.255.255': 'private',
      '192.168.1.1': 'private',
      '100.64.0.1': 'private',
      '169.254.169.254': 'metadata',
      '169.254.1.1': 'link-local',
      '100.100.100.200': 'metadata',
      'fd00:ec2::254': 'metadata',
      'fc00::1': 'private',
      'fe80::1': 'link-local',
      '0.0.0.0': 'unspecified',
      '224.0.0.1': 'multicast',
      '255.255.255.255': 'reserved',
      '8.8.8.8': 'public',
      '2606:4700::1111': 'public',
      '172.32.0.1': 'public',
    });
  });

  it('allows configured hosts, addresses and ranges, or everything internal', () => {
    const allowed = new AddressPolicy({
      allowPrivate: false,
      allowedHosts: ['127.0.0.1', 'api.internal', '10.1.0.0/16', ' '],
    });
    expect(allowed.refusal('x', '127.0.0.1')).toBeUndefined();
    expect(allowed.refusal('x', '127.0.0.2')).toBe('loopback');
    expect(allowed.refusal('API.internal', '10.9.9.9')).toBeUndefined();
    expect(allowed.refusal('x', '10.1.200.3')).toBeUndefined();
    expect(allowed.refusal('x', '10.2.0.1')).toBe('private');
    expect(
      new AddressPolicy({ allowPrivate: true, allowedHosts: [] }).refusal('x', '10.0.0.1'),
    ).toBeUndefined();
  });

  it('refuses an internal IP literal before any connection', () => {
    expect(() => strict.checkLiteral(new URL('http://[::1]:8080/x'))).toThrow(AddressRefusedError);
    expect(() => strict.checkLiteral(new URL('http://0x7f000001/x'))).toThrow(/loopback/);
    expect(() => strict.checkLiteral(new URL('https://example.com/x'))).not.toThrow();
  });

  it('unwraps IPv6 forms that carry an IPv4 address and refuses the translation ranges', () => {
    const kinds = Object.fromEntries(
      [
        '::ffff:10.0.0.1',
        '::ffff:7f00:1',
        '::ffff:8.8.8.8',
        '::127.0.0.1',
        '::8.8.8.8',
        '64:ff9b::7f00:1',
        '64:ff9b::8.8.8.8',
        '64:ff9b:1::a00:1',
        '2002:7f00:1::1',
        '2002:a9fe:a9fe::',
        '2002:c0a8:101::1',
        '2002:808:808::1',
        'fec0::1',
        'fef0::1',
        '2001:db8::1',
        '2001:0:4136:e378::1',
        '100::1',
        '192.0.2.10',
      ].map((a) => [a, strict.refusal('host', a) ?? 'public']),
    );
    expect(kinds).toEqual({
      '::ffff:10.0.0.1': 'private',
      '::ffff:7f00:1': 'loopback',
      '::ffff:8.8.8.8': 'public',
      '::127.0.0.1': 'loopback',
      '::8.8.8.8': 'reserved',
      '64:ff9b::7f00:1': 'loopback',
      '64:ff9b::8.8.8.8': 'nat64',
      '64:ff9b:1::a00:1': 'nat64',
      '2002:7f00:1::1': 'loopback',
      '2002:a9fe:a9fe::': 'metadata',
      '2002:c0a8:101::1': 'private',
      '2002:808:808::1': 'public',
      'fec0::1': 'site-local',
      'fef0::1': 'site-local',
      '2001:db8::1': 'reserved',
      '2001:0:4136:e378::1': 'reserved',
      '100::1': 'reserved',
      '192.0.2.10': 'reserved',
    });
  });

  it('refuses cloud metadata whatever CUSTOM_API_ALLOW_PRIVATE or the allow-list say', () => {
    const open = new AddressPolicy({ allowPrivate: true, allowedHosts: [] });
    const listed = new AddressPolicy({
      allowPrivate: false,
      allowedHosts: [
        'metadata.google.internal',
        '169.254.0.0/16',
        'fd00::/8',
        '64:ff9b::/96',
        'evil.example',
      ],
    });
    for (const policy of [open, listed]) {
      for (const address of [
        '169.254.169.254',
        '::ffff:169.254.169.254',
        'fd00:ec2::254',
        '100.100.100.200',
        '64:ff9b::a9fe:a9fe',
        '169.254.170.2',
      ]) {
        expect([address, policy.refusal('evil.example', address)]).toEqual([address, 'metadata']);
      }
      expect(policy.refusal('metadata.google.internal', '8.8.8.8')).toBe('metadata');
      expect(policy.refusal('METADATA.google.internal.', '8.8.8.8')).toBe('metadata');
      expect(() =>
        policy.checkLiteral(new URL('http://metadata.google.internal/computeMetadata/v1/')),
      ).toThrow(/metadata/);
      expect(() => policy.checkLiteral(new URL('http://[::ffff:a9fe:a9fe]/latest/'))).toThrow(
        /metadata/,
      );
    }
    // Allowing the NAT64 prefix (an IPv6-only cluster) lets public IPv4 through it, still not metadata.
    expect(listed.refusal('x', '64:ff9b::8.8.8.8')).toBeUndefined();
    expect(open.refusal('x', '127.0.0.1')).toBeUndefined();
  });
});
