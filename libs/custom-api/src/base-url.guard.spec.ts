import { describe, expect, it } from '@jest/globals';
import { baseUrlProblem, baseUrlRules } from './base-url.guard.js';

describe('provider base URL guard', () => {
  const development = baseUrlRules({
    production: false,
    allowedHosts: [],
    allowPrivate: false,
    configuredBaseUrls: [],
  });
  const production = baseUrlRules({
    production: true,
    allowedHosts: ['10.20.0.0/16'],
    allowPrivate: false,
    configuredBaseUrls: ['https://egress-proxy.internal:8443'],
  });

  it('allows the loopback sandbox outside production only', async () => {
    expect(await baseUrlProblem('http://127.0.0.1:3999', development)).toBeUndefined();
    expect(await baseUrlProblem('http://localhost:3999', development)).toBeUndefined();
    expect(await baseUrlProblem('https://127.0.0.1:3999', production)).toMatch(
      /127\.0\.0\.1, a loopback address/,
    );
    expect(await baseUrlProblem('https://localhost:3999', production)).toMatch(
      /resolves to .*loopback/,
    );
  });

  it('is https only in production and names what is wrong', async () => {
    expect(await baseUrlProblem('http://graph.example.test', production)).toMatch(
      /must be https in production/,
    );
    expect(await baseUrlProblem('https://graph.example.test', production)).toBeUndefined();
    expect(await baseUrlProblem('ftp://graph.example.test', development)).toMatch(
      /must be http\(s\), not ftp/,
    );
    expect(await baseUrlProblem('not a url', development)).toBe('is not a URL');
    expect(await baseUrlProblem(42, development)).toMatch(/must be an http\(s\) URL/);
    expect(await baseUrlProblem('https://user:pw@graph.example.test', development)).toMatch(
      /user name or password/,
    );
    expect(await baseUrlProblem('https://graph.example.test/?access_token=x', development)).toMatch(
      /query/,
    );
  });

  it('refuses internal ranges and metadata whatever the environment, honouring the allow-list', async () => {
    expect(await baseUrlProblem('https://10.0.0.5', production)).toMatch(/private address/);
    expect(await baseUrlProblem('https://10.20.1.1', production)).toBeUndefined();
    expect(await baseUrlProblem('https://egress-proxy.internal:8443', production)).toBeUndefined();
    expect(await baseUrlProblem('http://[64:ff9b::7f00:1]', development)).toMatch(/loopback|nat64/);
    expect(await baseUrlProblem('http://[fec0::1]', development)).toMatch(/site-local/);
    expect(await baseUrlProblem('http://169.254.169.254/latest', development)).toMatch(/metadata/);
    expect(await baseUrlProblem('http://metadata.google.internal', development)).toMatch(
      /cloud metadata service/,
    );
    const open = baseUrlRules({
      production: false,
      allowedHosts: ['169.254.169.254'],
      allowPrivate: true,
      configuredBaseUrls: [],
    });
    expect(await baseUrlProblem('http://169.254.169.254', open)).toMatch(/metadata/);
  });
});
