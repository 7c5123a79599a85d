// Tests run on the compiled output (tsc, in dist/): tsc is what emits Nest's decorator
// metadata correctly, and the code base is ESM (Nest 12 is ESM-only), so jest runs with
// --experimental-vm-modules and no transform. `npm test` builds first.
// One embedded PostgreSQL per run (globalSetup); every test file gets a fresh database.
const common = {
  transform: {},
  testEnvironment: 'node',
  moduleFileExtensions: ['js', 'mjs', 'json'],
};

export default {
  testTimeout: 60_000,
  // A leaked handle must not hang CI; each suite closes its servers and pools in afterAll.
  forceExit: true,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/dist/{libs,projections,apps}/**/!(*.int).spec.js'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/dist/{libs,projections,apps}/**/*.int.spec.js', '<rootDir>/dist/test/**/*.e2e-spec.js'],
      globalSetup: '<rootDir>/test/support/global-setup.mjs',
      globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
    },
  ],
};
