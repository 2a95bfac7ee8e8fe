import { whatsappChannel } from './whatsapp.channel.js';

describe('the WhatsApp channel', () => {
  it('hands on people WhatsApp cannot reach, not a message or template problem', () => {
    for (const code of ['131026', '131047', '131030', 'WINDOW_CLOSED', 'INVALID_RECIPIENT'])
      expect(whatsappChannel.notHere.has(code)).toBe(true);
    // 132001: the template does not exist; the message is wrong, not the person's channel.
    expect(whatsappChannel.notHere.has('132001')).toBe(false);
  });
});
