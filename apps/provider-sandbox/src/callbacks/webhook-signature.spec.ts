import { metaJson, metaSignature, twilioSignature } from './webhook-signature.js';

describe('webhook signatures', () => {
  it('computes X-Hub-Signature-256 as sha256=<hex HMAC-SHA256> (Meta test vector)', () => {
    expect(metaSignature('secret', 'test')).toBe(
      'sha256=0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914',
    );
  });

  it('computes X-Twilio-Signature over URL + sorted params (Twilio test vector)', () => {
    const params = {
      CallSid: 'CA1234567890ABCDE',
      Caller: '+12349013030',
      Digits: '1234',
      From: '+12349013030',
      To: '+18005551212',
    };
    expect(twilioSignature('12345', 'https://mycompany.com/myapp.php?foo=1&bar=2', params)).toBe(
      '0/KCTR6DLpKmkAf8muzZqo1nDgQ=',
    );
  });

  it('writes JSON with non-ASCII and / < % @ escaped, as Meta signs it', () => {
    const json = metaJson({ text: 'Olá 👍 a/b <i> 5% @me' });

    expect(json).toBe('{"text":"Ol\\u00e1 \\ud83d\\udc4d a\\/b \\u003ci> 5\\u0025 \\u0040me"}');
    expect(JSON.parse(json)).toEqual({ text: 'Olá 👍 a/b <i> 5% @me' });
  });
});
