import type { FastifyRequest } from 'fastify';
import { addressIn, callerIp, parseAddressList } from './caller-ip.js';

const request = (peer: string, forwarded?: string) =>
  ({
    raw: { socket: { remoteAddress: peer } },
    headers: forwarded ? { 'x-forwarded-for': forwarded } : {},
  }) as unknown as FastifyRequest;

describe('allowedHosts addresses', () => {
  it('parses IPs and CIDRs of both families and reports the others', () => {
    const { list, invalid } = parseAddressList([
      '10.0.0.0/8',
      '192.0.2.7',
      '2001:db8::/32',
      'example.com',
      '10.0.0.0/33',
      '1.2.3.4/x',
      '',
    ]);
    expect(invalid).toEqual(['example.com', '10.0.0.0/33', '1.2.3.4/x', '']);
    expect(addressIn(list, '10.20.30.40')).toBe(true);
    expect(addressIn(list, '::ffff:10.1.1.1')).toBe(true);
    expect(addressIn(list, '192.0.2.7')).toBe(true);
    expect(addressIn(list, '192.0.2.8')).toBe(false);
    expect(addressIn(list, '2001:db8::1')).toBe(true);
    expect(addressIn(list, 'not an ip')).toBe(false);
  });

  it('believes X-Forwarded-For only from trusted proxies', () => {
    expect(callerIp(request('::ffff:127.0.0.1', '10.9.9.9'), null)).toBe('127.0.0.1');
    const trusted = parseAddressList(['127.0.0.1', '10.0.0.0/8']).list;
    expect(callerIp(request('127.0.0.1', '203.0.113.5, 10.1.1.1'), trusted)).toBe('203.0.113.5');
    // A client cannot smuggle an address in front of the real one.
    expect(callerIp(request('127.0.0.1', '10.9.9.9, 198.51.100.2'), trusted)).toBe('198.51.100.2');
    expect(callerIp(request('198.51.100.9', '10.9.9.9'), trusted)).toBe('198.51.100.9');
  });
});
