// Test runner settings: real child processes and servers need generous timeouts, never a retry. The tests that
// carry entries end to end run a second time with the JavaScript mapper only (AFLO_NATIVE_MAPPER=false): both
// mappers are what users run, depending on how a line was printed.
import { defineConfig } from 'vitest/config';

const BOTH_MAPPERS = ['test/e2e/once.test.ts', 'test/e2e/crash.test.ts', 'test/e2e/soak.test.ts', 'test/e2e/identity.test.ts',
  'test/e2e/rotation.test.ts', 'test/e2e/container-logs.test.ts', 'test/e2e/no-time.test.ts', 'test/pipeline/**/*.test.ts',
  'test/backends/api.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'default', include: ['test/**/*.test.ts'] } },
      { extends: true, test: { name: 'js-mapper', include: BOTH_MAPPERS, env: { AFLO_TEST_MAPPER: 'js' } } },
    ],
  },
});
