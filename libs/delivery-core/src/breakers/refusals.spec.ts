import type { ChannelAccount } from '@herald/persistence';
import type { SendOutcome } from '../channel-sender.js';
import { Refusals } from './refusals.js';

describe('Refusals', () => {
  const account = () => ({ id: 'a', config: {}, credentials: {} }) as unknown as ChannelAccount;
  const revoked: SendOutcome = {
    ok: false,
    failure: 'account',
    code: '20003',
    reason: 'Authenticate — re-authorise the SMS channel',
    refused: true,
  };
  const outage: SendOutcome = { ok: false, failure: 'account', code: '20500', reason: 'down' };

  it("takes an account's refusal as its answer for a while, and only that account's", () => {
    let now = 0;
    const refusals = new Refusals(10_000, () => now);
    const mine = account();
    const anotherBots = account();
    refusals.saw(mine, revoked);
    expect(refusals.of(mine)).toBe(revoked);
    // Another bot's account object, even one naming the same provider account, is asked itself.
    expect(refusals.of(anotherBots)).toBeUndefined();
    now = 9_999;
    expect(refusals.of(mine)).toBe(revoked);
    now = 10_000;
    expect(refusals.of(mine)).toBeUndefined();
  });

  it('forgets a refusal once the account sends, and never remembers other failures', () => {
    const refusals = new Refusals(10_000, () => 0);
    const mine = account();
    refusals.saw(mine, outage);
    expect(refusals.of(mine)).toBeUndefined();
    refusals.saw(mine, revoked);
    refusals.saw(mine, { ok: true, providerMessageId: 'SM1' });
    expect(refusals.of(mine)).toBeUndefined();
  });
});
