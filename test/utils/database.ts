import { runMigrations } from '@herald/persistence';
import { testDatabaseUrl } from './env.js';

let migrated: Promise<unknown> | undefined;

/** Applies the migrations to the test database once per test file. */
export function prepareDatabase(): Promise<unknown> {
  migrated ??= runMigrations(testDatabaseUrl());
  return migrated;
}
