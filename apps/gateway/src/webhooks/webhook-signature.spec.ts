import { createHmac } from 'node:crypto';
import { metaSignatureValid, twilioSignature, twilioSignatureValid } from './webhook-signature.js';

describe('webhook signatures', () => {
  it("checks Meta's X-Hub-Signature-256 over the raw bytes (notes/providers.md test vector)", () => {
    const header = 'sha256=0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914';
    expect(metaSignatureValid(['secret'], Buffer.from('test'), header)).toBe(true);
    expect(metaSignatureValid(['other', 'secret'], Buffer.from('test'), header)).toBe(true);
    expect(metaSignatureValid(['secret'], Buffer.from('test '), header)).toBe(false);
    expect(
      metaSignatureValid(['secret'], Buffer.from('test'), header.replace('sha256=', 'sha1=')),
    ).toBe(false);
    expect(metaSignatureValid(['secret'], Buffer.from('test'), undefined)).toBe(false);
  });

  it('hashes the escaped bytes Meta sends, not a re-serialization', () => {
    const raw = Buffer.from('{"text":"caf\\u00e9 \\/ 50\\u0025"}');
    const header = `sha256=${createHmac('sha256', 's').update(raw).digest('hex')}`;
    expect(metaSignatureValid(['s'], raw, header)).toBe(true);
    expect(
      metaSignatureValid(['s'], Buffer.from(JSON.stringify(JSON.parse(raw.toString()))), header),
    ).toBe(false);
  });

  it("computes Twilio's documented test vector", () => {
    const params: Array<[string, string]> = [
      ['CallSid', 'CA1234567890ABCDE'],
      ['Caller', '+12349013030'],
      ['Digits', '1234'],
      ['From', '+12349013030'],
      ['To', '+18005551212'],
    ];
    expect(twilioSignature('12345', 'https://mycompany.com/myapp.php?foo=1&bar=2', params)).toBe(
      '0/KCTR6DLpKmkAf8muzZqo1nDgQ=',
    );
    expect(
      twilioSignatureValid(
        ['12345'],
        ['https://other/x', 'https://mycompany.com/myapp.php?foo=1&bar=2'],
        params,
        '0/KCTR6DLpKmkAf8muzZqo1nDgQ=',
      ),
    ).toBe(true);
    expect(
      twilioSignatureValid(
        ['12345'],
        ['https://mycompany.com/myapp.php?foo=1&bar=2'],
        params.slice(1),
        '0/KCTR6DLpKmkAf8muzZqo1nDgQ=',
      ),
    ).toBe(false);
  });
});
