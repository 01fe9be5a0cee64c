import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Tests run against the TypeScript sources of the workspace packages; the packaging tests
// (exports map, deep imports, publint, attw) check the built dist separately.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@open-cowork\/shared$/, replacement: source('./packages/shared/src/index.ts') },
      { find: /^@open-cowork\/cloud-client$/, replacement: source('./packages/cloud-client/src/index.ts') },
      { find: /^@open-cowork\/cloud-client\/(.*)$/, replacement: source('./packages/cloud-client/src/$1.ts') },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    // Most test files wait on sockets, child processes and timers rather than the CPU, so more
    // workers than the default (cores - 1) shorten the run on a 2-core machine.
    maxWorkers: 3,
    globalSetup: ['packages/test-support/src/global-setup.ts'],
    // Generous: a loaded 2-core CI machine can take seconds to open a database or run a turn.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
