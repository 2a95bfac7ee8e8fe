import { messengerChannel } from './messenger.channel.js';

describe('the Messenger channel', () => {
  it('hands nobody on: a page-scoped id reaches the person nowhere else', () => {
    expect(messengerChannel.notHere.size).toBe(0);
  });
});
