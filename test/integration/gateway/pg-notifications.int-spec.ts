// The gateway's LISTEN connection when the network between it and PostgreSQL goes silent (the
// peer vanishes without a reset: no error, no end). Peers announce themselves through it every
// 2 s, so the first announcement that gets no answer drops the connection, and a new one is made
// once the database can be reached again. Before, it read as listening for as long as the kernel
// kept the dead socket, while this instance heard no peer and no peer heard it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import net from 'node:net';
import { eventually, testDatabaseUrl } from '@herald/testing';
import { PgNotifications } from '../../../apps/gateway/src/lookups/pg-notifications.service.js';

/** A TCP proxy to PostgreSQL that can stop forwarding without closing anything (a silent network). */
class SilentableProxy {
  private readonly server: net.Server;
  private readonly pairs = new Set<[net.Socket, net.Socket]>();
  silent = false;

  constructor(target: { host: string; port: number }) {
    this.server = net.createServer((inbound) => {
      const outbound = net.connect(target.port, target.host);
      const pair: [net.Socket, net.Socket] = [inbound, outbound];
      this.pairs.add(pair);
      const forward = (from: net.Socket, to: net.Socket) =>
        from.on('data', (chunk) => {
          if (!this.silent) to.write(chunk);
        });
      forward(inbound, outbound);
      forward(outbound, inbound);
      const close = () => {
        inbound.destroy();
        outbound.destroy();
        this.pairs.delete(pair);
      };
      inbound.on('close', close).on('error', close);
      outbound.on('close', close).on('error', close);
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as net.AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const [a, b] of this.pairs) {
      a.destroy();
      b.destroy();
    }
    await new Promise((resolve) => this.server.close(resolve));
  }
}

describe('the LISTEN connection through a network that goes silent (real PostgreSQL)', () => {
  let proxy: SilentableProxy;
  let notifications: PgNotifications;

  beforeAll(async () => {
    const url = new URL(testDatabaseUrl());
    proxy = new SilentableProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.port = String(await proxy.listen());
    url.hostname = '127.0.0.1';
    notifications = new PgNotifications(url.toString());
    await notifications.onModuleInit();
  });

  afterAll(async () => {
    await notifications?.onApplicationShutdown();
    await proxy?.close();
  });

  it('drops a connection that stops answering, and listens again once the database answers', async () => {
    const heard: string[] = [];
    notifications.on('herald_gateway_peers', (payload) => heard.push(payload));
    await notifications.notify('herald_gateway_peers', 'alive:before');
    await eventually(async () => heard.includes('alive:before'), 'its own announcement');
    expect(notifications.listening).toBe(true);

    proxy.silent = true;
    const started = Date.now();
    await expect(notifications.notify('herald_gateway_peers', 'alive:lost')).rejects.toThrow(
      'Query read timeout',
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(notifications.listening).toBe(false);

    proxy.silent = false;
    await eventually(async () => notifications.listening, 'a new listening connection', 15_000);
    await notifications.notify('herald_gateway_peers', 'alive:after');
    await eventually(async () => heard.includes('alive:after'), 'announcements heard again');
  }, 30_000);
});
