// The sandbox's settings, read once at boot from SANDBOX_* variables. A bad value fails the boot
// with every bad variable listed, so nobody benchmarks against a half-configured sandbox.

export interface SandboxSettings {
  host: string;
  port: number;
  /** Meta App Secret: signs WhatsApp and Messenger webhooks (X-Hub-Signature-256). */
  metaAppSecret: string;
  /** Twilio Auth Token: signs Twilio status callbacks (X-Twilio-Signature). */
  twilioAuthToken: string;
  /** The Page that `POST /{version}/me/messages` sends as (the token does not name one). */
  messengerPageId: string;
  /** How many of the latest messages keep their details for `GET /sandbox/messages`. */
  maxRecords: number;
  callbackConcurrency: number;
  callbackQueueLimit: number;
  callbackTimeoutMs: number;
}

interface IntRule {
  min: number;
  max: number;
}

const DEFAULTS: SandboxSettings = {
  host: '127.0.0.1',
  port: 3999,
  metaAppSecret: 'sandbox-app-secret',
  twilioAuthToken: 'sandbox-auth-token',
  messengerPageId: '100000000000000',
  maxRecords: 100_000,
  callbackConcurrency: 16,
  callbackQueueLimit: 100_000,
  callbackTimeoutMs: 5_000,
};

export const ENV_NAMES: Record<keyof SandboxSettings, string> = {
  host: 'SANDBOX_HOST',
  port: 'SANDBOX_PORT',
  metaAppSecret: 'SANDBOX_META_APP_SECRET',
  twilioAuthToken: 'SANDBOX_TWILIO_AUTH_TOKEN',
  messengerPageId: 'SANDBOX_MESSENGER_PAGE_ID',
  maxRecords: 'SANDBOX_MAX_RECORDS',
  callbackConcurrency: 'SANDBOX_CALLBACK_CONCURRENCY',
  callbackQueueLimit: 'SANDBOX_CALLBACK_QUEUE_LIMIT',
  callbackTimeoutMs: 'SANDBOX_CALLBACK_TIMEOUT_MS',
};

const INT_RULES: Partial<Record<keyof SandboxSettings, IntRule>> = {
  port: { min: 0, max: 65_535 },
  maxRecords: { min: 1, max: 50_000_000 },
  callbackConcurrency: { min: 1, max: 1_000 },
  callbackQueueLimit: { min: 1, max: 10_000_000 },
  callbackTimeoutMs: { min: 100, max: 120_000 },
};

export class SandboxConfig implements SandboxSettings {
  readonly host!: string;
  readonly port!: number;
  readonly metaAppSecret!: string;
  readonly twilioAuthToken!: string;
  readonly messengerPageId!: string;
  readonly maxRecords!: number;
  readonly callbackConcurrency!: number;
  readonly callbackQueueLimit!: number;
  readonly callbackTimeoutMs!: number;

  private constructor(settings: SandboxSettings) {
    Object.assign(this, settings);
  }

  /** Env values first, then `overrides` (from code that hosts the sandbox) on top. */
  static load(
    env: Record<string, string | undefined>,
    overrides: Partial<SandboxSettings> = {},
  ): SandboxConfig {
    const problems: string[] = [];
    const settings = { ...DEFAULTS };
    for (const key of Object.keys(DEFAULTS) as (keyof SandboxSettings)[]) {
      const name = ENV_NAMES[key];
      const raw = env[name];
      if (raw === undefined || raw === '') continue;
      const rule = INT_RULES[key];
      if (rule) {
        const value = Number(raw);
        if (!Number.isInteger(value) || value < rule.min || value > rule.max) {
          problems.push(`${name}="${raw}" must be an integer from ${rule.min} to ${rule.max}`);
          continue;
        }
        (settings as Record<string, unknown>)[key] = value;
      } else {
        (settings as Record<string, unknown>)[key] = raw;
      }
    }
    if (!/^\d{1,20}$/.test(settings.messengerPageId)) {
      problems.push(`${ENV_NAMES.messengerPageId} must be a numeric Page ID`);
    }
    if (problems.length > 0) {
      throw new Error(`Invalid provider sandbox configuration:\n- ${problems.join('\n- ')}`);
    }
    return new SandboxConfig({ ...settings, ...stripUndefined(overrides) });
  }
}

function stripUndefined(overrides: Partial<SandboxSettings>): Partial<SandboxSettings> {
  return Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
}
