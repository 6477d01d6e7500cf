// ESM TypeScript tests: @swc/jest strips types (tsc does the type checking), jest runs native
// ESM (NODE_OPTIONS=--experimental-vm-modules, set by `npm test`).
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  // jest's default on 2 cores is one worker; the suites are mostly I/O-bound waits on child
  // processes (kubectl, yamllint, the CLI), so two workers finish sooner.
  maxWorkers: 2,
  // jest's default of 5 s per test is a timing assertion on every test; with the cores busy (CI
  // runs npm test beside two CPU burners) a test doing real work can pass 5 s. A hung test still
  // fails, later. The cases that wait on child processes set their own bounds below this
  // (test/shell-harness.ts PROMPT_MS).
  testTimeout: 60_000,
  roots: ['<rootDir>/test'],
  // test/slow/ holds checks that are slow by nature (a real process SIGKILLed mid-write, three
  // times): `npm run test:slow` (jest.slow.config.js) runs them, and so does .ci/run.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/slow/'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } }],
  },
  // Tests import './x.js' (the ESM rule tsc knows); under jest they resolve to the .ts file. (src/
  // imports './x.ts', as Node needs to run it as written.)
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  globalSetup: '<rootDir>/test/global-setup.js',
  // After jest's summary: the skipped tests, counted by reason (test/skip-reporter.js).
  reporters: ['default', '<rootDir>/test/skip-reporter.js'],
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
};
