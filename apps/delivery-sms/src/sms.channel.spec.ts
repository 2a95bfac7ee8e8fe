import { smsChannel } from './sms.channel.js';

describe('the SMS channel', () => {
  it('hands on people SMS cannot reach, never one who said STOP', () => {
    for (const code of ['21211', '21614', '30003', '30005', '30006'])
      expect(smsChannel.notHere.has(code)).toBe(true);
    // 21610: the person unsubscribed; their choice is not routed around.
    expect(smsChannel.notHere.has('21610')).toBe(false);
    // 20429: too many requests, the account's trouble, not the person's.
    expect(smsChannel.notHere.has('20429')).toBe(false);
  });
});
