import { isSecretName, redactSecrets } from './secret-names.js';

describe('secret names', () => {
  it('knows credential-like names whatever their case', () => {
    expect(
      [
        'Authorization',
        'proxy-authorization',
        'x-api-key',
        'apiKey',
        'notificationMessagesToken',
        'x-hub-signature-256',
        'Cookie',
      ].every(isSecretName),
    ).toBe(true);
    expect(['ce_id', 'traceparent', 'content-type', 'runId', 'to'].some(isSecretName)).toBe(false);
  });

  it('redacts secret-named fields at any depth and keeps the rest', () => {
    expect(
      redactSecrets({
        runId: 'r',
        oneTimeNotifToken: 'x',
        messages: [{ text: 'hi', auth: { password: 'p' } }],
      }),
    ).toEqual({
      runId: 'r',
      oneTimeNotifToken: '[redacted]',
      messages: [{ text: 'hi', auth: { password: '[redacted]' } }],
    });
    expect(redactSecrets('plain')).toBe('plain');
  });
});
