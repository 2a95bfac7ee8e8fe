import { randomBytes } from 'node:crypto';

/** Tests use their own database, so a developer's local data is never touched. */
export function testDatabaseUrl(): string {
  return process.env.HERALD_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/herald_test';
}

export function testBrokers(): string {
  return process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
}

/** A topic prefix of its own per suite: suites never see each other's events. */
export function uniquePrefix(label = 't'): string {
  return `${label}-${randomBytes(4).toString('hex')}.`;
}

/** Polls until `check` returns a value other than undefined/false, or fails with `what`. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `Timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`,
  );
}
