import { SandboxConfig } from './sandbox.config.js';

describe('SandboxConfig', () => {
  it('uses the defaults when nothing is set', () => {
    expect(SandboxConfig.load({})).toMatchObject({
      host: '127.0.0.1',
      port: 3999,
      metaAppSecret: 'sandbox-app-secret',
      twilioAuthToken: 'sandbox-auth-token',
      maxRecords: 100_000,
    });
  });

  it('reads SANDBOX_* variables and lets overrides win', () => {
    const config = SandboxConfig.load(
      { SANDBOX_PORT: '4100', SANDBOX_META_APP_SECRET: 'shh', SANDBOX_MAX_RECORDS: '10' },
      { maxRecords: 20 },
    );
    expect(config).toMatchObject({ port: 4100, metaAppSecret: 'shh', maxRecords: 20 });
  });

  it('fails with every bad variable listed', () => {
    expect(() =>
      SandboxConfig.load({
        SANDBOX_PORT: 'http',
        SANDBOX_MAX_RECORDS: '0',
        SANDBOX_MESSENGER_PAGE_ID: 'page',
      }),
    ).toThrow(/SANDBOX_PORT[\s\S]*SANDBOX_MAX_RECORDS[\s\S]*SANDBOX_MESSENGER_PAGE_ID/);
  });
});
