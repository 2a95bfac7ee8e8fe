import { afterEach, jest } from '@jest/globals';
import type { SendOutcome } from '../channel-sender.js';
import { ConsumptionGate } from './consumption-gate.js';
import { ProviderBreakers, REFUSED } from './provider-breakers.js';

const ok: SendOutcome = { ok: true, providerMessageId: 'm1' };
const outage: SendOutcome = {
  ok: false,
  failure: 'account',
  code: '2',
  reason: 'Service temporarily unavailable',
};
const badNumber: SendOutcome = {
  ok: false,
  failure: 'permanent',
  code: '131026',
  reason: 'Message undeliverable',
};

const revoked: SendOutcome = {
  ok: false,
  failure: 'account',
  code: '190',
  reason: 'Invalid OAuth access token',
  refused: true,
};

function setup() {
  const calls: string[] = [];
  const gate = new ConsumptionGate(
    { pause: (t) => calls.push(`pause ${t}`), resume: (t) => calls.push(`resume ${t}`) },
    ['topic', 'topic.retry.5s'],
  );
  const breakers = new ProviderBreakers(
    {
      errorThresholdPercentage: 50,
      volumeThreshold: 3,
      rollingCountTimeout: 10_000,
      resetTimeout: 100,
    },
    gate,
  );
  return { calls, gate, breakers };
}

describe('ProviderBreakers', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('passes outcomes through, and per-recipient failures never open it', async () => {
    const { breakers, calls } = setup();
    for (let i = 0; i < 10; i++)
      expect(await breakers.call('wa:1', async () => badNumber)).toBe(badNumber);
    expect(await breakers.call('wa:1', async () => ok)).toBe(ok);
    expect(breakers.isOpen('wa:1')).toBe(false);
    expect(calls).toEqual([]);
    breakers.shutdown();
  });

  it('never opens for an account refusing for its own reasons (a revoked token): no other bot is paused', async () => {
    const { breakers, calls } = setup();
    for (let i = 0; i < 10; i++)
      expect(await breakers.call('wa:1', async () => revoked)).toBe(revoked);
    expect(breakers.isOpen('wa:1')).toBe(false);
    expect(calls).toEqual([]);
    breakers.shutdown();
  });

  it('opens on provider failures, pauses the topics, refuses calls without making them, and resumes after a good probe', async () => {
    // The reset timeout is what is tested: the clock is the test's.
    jest.useFakeTimers();
    const { breakers, calls, gate } = setup();
    for (let i = 0; i < 3; i++)
      expect(await breakers.call('wa:1', async () => outage)).toBe(outage);
    expect(breakers.isOpen('wa:1')).toBe(true);
    expect(calls).toEqual(['pause topic', 'pause topic.retry.5s']);
    let made = 0;
    expect(await breakers.call('wa:1', async () => (made++, ok))).toBe(REFUSED);
    expect(made).toBe(0);
    // Other accounts have breakers of their own.
    expect(await breakers.call('wa:2', async () => ok)).toBe(ok);

    jest.advanceTimersByTime(99);
    expect(gate.blocking).toBe(true);
    jest.advanceTimersByTime(1);
    expect(gate.blocking).toBe(false);
    expect(calls.slice(2)).toEqual(['resume topic', 'resume topic.retry.5s']);
    expect(await breakers.call('wa:1', async () => ok)).toBe(ok);
    expect(breakers.isOpen('wa:1')).toBe(false);
    breakers.shutdown();
  });

  it('pauses once for several open accounts and resumes when the last one is released', () => {
    const { gate, calls } = setup();
    gate.opened('a');
    gate.opened('b');
    gate.released('a');
    expect(calls).toEqual(['pause topic', 'pause topic.retry.5s']);
    gate.released('b');
    expect(calls.slice(2)).toEqual(['resume topic', 'resume topic.retry.5s']);
  });
});
