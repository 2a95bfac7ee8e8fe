// Two projects: `unit` (specs beside the code, no I/O) and `integration` (test/, real Kafka and
// PostgreSQL, run in band). Native ESM: NestJS 12 ships ES modules only, so jest runs with
// --experimental-vm-modules and @swc/jest emits ES modules with decorator metadata.
import { readFileSync } from 'node:fs';

const swc = JSON.parse(readFileSync(new URL('./.swcrc', import.meta.url), 'utf8'));
delete swc.$schema;

const aliases = {
  '^@herald/contracts$': '<rootDir>/libs/contracts/src/index.ts',
  '^@herald/errors$': '<rootDir>/libs/errors/src/index.ts',
  '^@herald/kafka$': '<rootDir>/libs/kafka/src/index.ts',
  '^@herald/persistence$': '<rootDir>/libs/persistence/src/index.ts',
  '^@herald/runtime$': '<rootDir>/libs/runtime/src/index.ts',
  '^@herald/observability$': '<rootDir>/libs/observability/src/index.ts',
  '^@herald/delivery-core$': '<rootDir>/libs/delivery-core/src/index.ts',
  '^@herald/audience-filter$': '<rootDir>/libs/audience-filter/src/index.ts',
  '^@herald/custom-api$': '<rootDir>/libs/custom-api/src/index.ts',
  '^@herald/testing$': '<rootDir>/test/utils/index.ts',
  // The Kafka handler harness alone: handler specs beside the code must not load every app.
  '^@herald/testing/kafka-handler$': '<rootDir>/test/utils/kafka-handler.ts',
  '^@herald/testing/policy-fixtures$': '<rootDir>/test/utils/policy-fixtures.ts',
  '^@herald/testing/recording-server$': '<rootDir>/test/utils/recording-server.ts',
  // Sources import siblings as `./x.js` (NodeNext); jest resolves them to the .ts file.
  '^(\\.{1,2}/.*)\\.js$': '$1',
};

const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', swc] },
  moduleNameMapper: aliases,
  testEnvironment: 'node',
};

export default {
  projects: [
    {
      ...common,
      displayName: 'unit',
      roots: ['<rootDir>/apps', '<rootDir>/libs'],
      testMatch: ['**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.int-spec.ts', '**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.mjs',
    },
  ],
  // Only honoured at the top level. Integration tests wait on real Kafka group joins.
  testTimeout: 60000,
};
