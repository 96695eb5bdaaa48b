/** Settings both projects share. */
const common = {
  testEnvironment: 'node',
  testMatch: ['**/*.test.ts'],
  // Type errors are caught by `npm run lint` (tsc --noEmit); transpiling only keeps the suite fast on 2 cores.
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  setupFiles: ['<rootDir>/test/setup/env.ts'],
};

/** @type {import('jest').Config} */
module.exports = {
  maxWorkers: 2,
  // A global option: Jest ignores it inside a project. Integration tests through the real stack take up to 25 s on
  // a loaded 2-core machine (the wave, the report); CI machines differ, and a timeout there is noise, not a finding.
  testTimeout: 60000,
  projects: [
    // Steps, handlers, use cases, cards, the grammar: memory stores and the sandbox Graph on a loopback port, no
    // Azurite, in seconds (`npm run test:unit`).
    { ...common, displayName: 'unit', roots: ['<rootDir>/test/unit'] },
    // Integration, conformance and browser tests: the real HTTP handlers on one Azurite for the whole run.
    {
      ...common,
      displayName: 'stack',
      roots: ['<rootDir>/test'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/unit/'],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
    },
  ],
};
