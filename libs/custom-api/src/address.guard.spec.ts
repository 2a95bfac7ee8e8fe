import { describe, expect, it } from '@jest/globals';
import { AddressPolicy, AddressRefusedError } from './address.guard.js';

describe('AddressPolicy (SSRF guard)', () => {
  const strict = new AddressPolicy({ allowPrivate: false, allowedHosts: [] });

  it('names the kind of every internal address and lets public ones through', () => {
    const kinds = Object.fromEntries(
      ['127.0.0.1', '::1', '::ffff:127.0.0.1', '10.0.0.1', '172.31.255.255', '192.168.1.1', '100.64.0.1', '169.254.169.254', '169.254.1.1', '100.100.100.200', 'fd00:ec2::254', 'fc00::1', 'fe80::1', '0.0.0.0', '224.0.0.1', '255.255.255.255', '8.8.8.8', '2606:4700::1111', '172.32.0.1'].map((a) => [
        a,
        strict.refusal('host', a) ?? 'public',
      ]),
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
    const allowed = new AddressPolicy({ allowPrivate: false, allowedHosts: ['127.0.0.1', 'api.internal', '10.1.0.0/16', ' '] });
    expect(allowed.refusal('x', '127.0.0.1')).toBeUndefined();
    expect(allowed.refusal('x', '127.0.0.2')).toBe('loopback');
    expect(allowed.refusal('API.internal', '10.9.9.9')).toBeUndefined();
    expect(allowed.refusal('x', '10.1.200.3')).toBeUndefined();
    expect(allowed.refusal('x', '10.2.0.1')).toBe('private');
    expect(new AddressPolicy({ allowPrivate: true, allowedHosts: [] }).refusal('x', '169.254.169.254')).toBeUndefined();
  });

  it('refuses an internal IP literal before any connection', () => {
    expect(() => strict.checkLiteral(new URL('http://[::1]:8080/x'))).toThrow(AddressRefusedError);
    expect(() => strict.checkLiteral(new URL('http://0x7f000001/x'))).toThrow(/loopback/);
    expect(() => strict.checkLiteral(new URL('https://example.com/x'))).not.toThrow();
  });
});
