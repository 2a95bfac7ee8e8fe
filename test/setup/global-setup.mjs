// Integration and e2e tests run on real parts: this makes sure a Kafka broker answers (starting
// one from the project's scripts when none runs) and PostgreSQL is up with the test database.
// It never mocks either. Migrations run from the test utilities (test/utils/database.ts).
// Plain ES module: jest loads it as is, without the TypeScript transform.
import { startKafka } from '../../scripts/lib/kafka.mjs';
import { ensurePostgres } from '../../scripts/lib/postgres.mjs';

export default async function globalSetup() {
  const quiet = { log: () => undefined };
  const url =
    process.env.HERALD_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/herald_test';
  await Promise.all([
    startKafka({ nodes: 1, detached: true, ...quiet }),
    ensurePostgres(url, quiet),
  ]);
}
