import { Injectable } from '@nestjs/common';
import type { BlockList } from 'node:net';
import { GatewayConfig } from '../gateway.config.js';
import { parseAddressList } from './caller-ip.js';

/** HERALD_TRUSTED_PROXIES parsed once at boot; a bad entry stops the gateway from starting. */
@Injectable()
export class TrustedProxies {
  readonly list: BlockList | null;

  constructor(config: GatewayConfig) {
    const entries = config.HERALD_TRUSTED_PROXIES.split(',')
      .map((e) => e.trim())
      .filter((e) => e.length > 0);
    const { list, invalid } = parseAddressList(entries);
    if (invalid.length > 0) {
      throw new Error(
        `HERALD_TRUSTED_PROXIES has entries that are not IPs or CIDRs: ${invalid.join(', ')}`,
      );
    }
    this.list = entries.length > 0 ? list : null;
  }
}
