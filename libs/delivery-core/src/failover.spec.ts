import { ConsumptionGate } from './breakers/consumption-gate.js';
import { failsOver, nextAccount } from './failover.js';

describe('provider failover', () => {
  it('picks the first account whose breaker is not open, from the top each time', () => {
    const open = new Set<string>();
    const isOpen = (key: string) => open.has(key);
    const keys = ['a', 'b', 'c'];
    expect(nextAccount(keys, isOpen)).toBe(0);
    open.add('a');
    expect(nextAccount(keys, isOpen)).toBe(1);
    expect(nextAccount(keys, isOpen, 2)).toBe(2);
    open.add('b').add('c');
    expect(nextAccount(keys, isOpen)).toBe(-1);
    // The first account recovers: traffic returns to it.
    open.delete('a');
    expect(nextAccount(keys, isOpen)).toBe(0);
    expect(nextAccount([], isOpen)).toBe(-1);
  });

  it('passes a message on only when the account refused it and the provider sent nothing', () => {
    const failure = (failure: 'account' | 'transient' | 'permanent', code: string) =>
      ({ ok: false, failure, code, reason: 'x' }) as const;
    expect(failsOver(failure('account', '2'))).toBe(true); // an outage answer
    expect(failsOver(failure('account', '190'))).toBe(true); // authentication
    expect(failsOver(failure('account', '20003'))).toBe(true);
    expect(failsOver(failure('account', 'ECONNREFUSED'))).toBe(true); // never connected
    // The request may have reached the provider: retried later, never re-sent at once.
    expect(failsOver(failure('account', 'UND_ERR_HEADERS_TIMEOUT'))).toBe(false);
    expect(failsOver(failure('account', 'ECONNRESET'))).toBe(false);
    expect(failsOver(failure('account', 'SEND_ERROR'))).toBe(false);
    // The person's trouble, not the account's: another account would not help.
    expect(failsOver(failure('permanent', '131026'))).toBe(false);
    expect(failsOver(failure('transient', '131056'))).toBe(false);
  });

  it('pauses consumption only when an open breaker leaves some bot without a healthy account, and the provider is down for every account called', () => {
    const calls: string[] = [];
    const gate = new ConsumptionGate(
      { pause: (t) => calls.push(`pause ${t}`), resume: (t) => calls.push(`resume ${t}`) },
      ['t'],
    );
    gate.called('a');
    gate.called('b');
    gate.group('bot1', ['a', 'b']);
    gate.opened('a');
    expect(gate.blocking).toBe(false);
    gate.opened('b');
    expect(gate.blocking).toBe(true);
    gate.released('b');
    expect(gate.blocking).toBe(false);
    // A bot whose only account is `a` has nowhere else to send; but `b` sends, so the provider
    // is up: that bot's people are parked (DeliverService), nobody else is paused.
    gate.group('bot2', ['a']);
    expect(gate.blocking).toBe(false);
    gate.released('a');
    expect(calls).toEqual(['pause t', 'resume t']);
    // An account never seen in a group, the only one called, pauses, as before failover.
    const alone = new ConsumptionGate({ pause: () => undefined, resume: () => undefined }, ['t']);
    alone.called('z');
    alone.opened('z');
    expect(alone.blocking).toBe(true);
  });
});
