// Tests run real servers, real SQLite files and real processes on a 2-core machine: under load a test that takes a
// second alone can take several, so the default 5 s per test is too tight to mean "hung".
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
