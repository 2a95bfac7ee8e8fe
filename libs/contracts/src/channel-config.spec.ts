import {
  ACCOUNT_CONFIG_DOCS,
  ACCOUNT_RULES,
  TEMPLATE_CHANNEL_NAMES,
  accountConfigProblem,
  accountSettings,
  sendsTemplates,
  templateRefusal,
} from './channel-config.js';

describe('account config schemas', () => {
  it('name each channel’s required fields in the order they are checked, and its secrets', () => {
    expect(ACCOUNT_RULES.whatsapp).toMatchObject({
      required: ['phoneNumberId', 'accessToken'],
      secrets: ['accessToken', 'appSecret'],
      oneOf: [],
    });
    expect(ACCOUNT_RULES.sms).toMatchObject({
      required: ['accountSid', 'authToken'],
      secrets: ['authToken'],
      oneOf: ['from', 'messagingServiceSid'],
    });
    expect(ACCOUNT_RULES.messenger).toMatchObject({
      required: ['pageId', 'pageAccessToken'],
      secrets: ['pageAccessToken', 'appSecret'],
    });
  });

  it('give a fix naming what is needed and what may be given (not the deprecated name)', () => {
    expect(ACCOUNT_RULES.sms.fix).toBe(
      'SMS (Twilio) needs {"accountSid", "authToken", and "from" or "messagingServiceSid"}; optional "baseUrl", "messagesPerSecond", "statusCallbackUrl".',
    );
    expect(ACCOUNT_RULES.whatsapp.fix).toMatch(
      /^WhatsApp needs \{"phoneNumberId", "accessToken"\}; optional "appSecret", /,
    );
    expect(ACCOUNT_RULES.messenger.fix).not.toContain('"enforceWindow"');
  });

  it('read stored settings typed, or say which field is wrong and how to fix it', () => {
    const read = accountSettings('whatsapp', {
      phoneNumberId: '1065550001',
      baseUrl: 'http://127.0.0.1:3999',
      messagesPerSecond: '80',
      enforceCustomerServiceWindow: false,
      somethingElse: 1,
    });
    expect(read).toMatchObject({ ok: true, settings: { phoneNumberId: '1065550001' } });
    // A stored row need not hold every field; a field it holds must have the schema's type.
    expect(accountSettings('messenger', { baseUrl: 'http://x', pageId: undefined })).toMatchObject({
      ok: true,
    });
    const bad = accountSettings('sms', { accountSid: 42 });
    expect(bad).toMatchObject({ ok: false });
    expect(!bad.ok && bad.problem).toMatch(/config\.accountSid is invalid.*SMS \(Twilio\) needs/);
  });

  it('read one stored config once', () => {
    const config = { pageId: '1' };
    expect(accountSettings('messenger', config)).toBe(accountSettings('messenger', config));
  });
});

describe('ACCOUNT_CONFIG_DOCS', () => {
  it('are plain OpenAPI 3.0 schemas: secrets writeOnly, literals as one-value enums', () => {
    const whatsapp = ACCOUNT_CONFIG_DOCS.whatsapp as {
      required: string[];
      properties: Record<string, { writeOnly?: boolean; anyOf?: unknown[] }>;
    };
    expect(whatsapp.required).toEqual(['phoneNumberId', 'accessToken']);
    expect(whatsapp.properties.accessToken.writeOnly).toBe(true);
    expect(whatsapp.properties.enforceCustomerServiceWindow.anyOf).toContainEqual({
      type: 'string',
      enum: ['true'],
    });
    expect(JSON.stringify(ACCOUNT_CONFIG_DOCS)).not.toContain('"const"');
  });
});

describe('accountConfigProblem', () => {
  it('names the first given field of the wrong type, and passes what it does not know', () => {
    expect(
      accountConfigProblem('whatsapp', {
        phoneNumberId: '1',
        accessToken: 'EAAG',
        messagesPerSecond: 1_000_000,
        enforceCustomerServiceWindow: false,
        note: 'kept',
      }),
    ).toBeUndefined();
    expect(accountConfigProblem('messenger', { appSecret: 'rotated' })).toBeUndefined();
    expect(accountConfigProblem('whatsapp', { apiVersion: 21 })).toEqual({
      field: 'config.apiVersion',
      message: 'config.apiVersion: Expected string',
    });
    expect(accountConfigProblem('sms', { appSecret: '' })).toBeUndefined();
    expect(accountConfigProblem('messenger', { appSecret: '' })?.field).toBe('config.appSecret');
  });
});

describe('templates only on WhatsApp', () => {
  it('names WhatsApp as the one channel that sends templates, and why the others refuse them', () => {
    expect(sendsTemplates('whatsapp')).toBe(true);
    expect(sendsTemplates('sms')).toBe(false);
    expect(sendsTemplates('messenger')).toBe(false);
    expect(templateRefusal('sms')).toBe(
      'WhatsApp templates cannot be sent by SMS; give this broadcast a text message',
    );
    expect(templateRefusal('messenger')).toBe(
      'WhatsApp templates cannot be sent on Messenger; give this broadcast a text message',
    );
    expect(TEMPLATE_CHANNEL_NAMES).toBe('WhatsApp');
  });
});
