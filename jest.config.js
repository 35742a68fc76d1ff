// Two projects so `--selectProjects unit` runs the pure tests alone; `npm test` runs both.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
  },
];
// A few dependencies ship only as ES modules (content-disposition 3, under @fastify/static 10): node requires them
// natively, jest needs them compiled to CommonJS.
const ESM_ONLY = ['content-disposition'];
const esmToCjs = ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }];
const transform = { '^.+\\.ts$': swc, [`node_modules/(${ESM_ONLY.join('|')})/.+\\.js$`]: esmToCjs };
const transformIgnorePatterns = [`/node_modules/(?!(${ESM_ONLY.join('|')})/)`];
const moduleNameMapper = {
  '^@credit-ledger/(.*)$': '<rootDir>/libs/$1/src',
};
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts'],
      testPathIgnorePatterns: ['\\.int\\.spec\\.ts$'],
      transform,
      transformIgnorePatterns,
      moduleNameMapper,
      testEnvironment: 'node',
    },
    {
      displayName: 'integration',
      testMatch: ['<rootDir>/**/*.int.spec.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/dist/'],
      transform,
      transformIgnorePatterns,
      moduleNameMapper,
      testEnvironment: 'node',
    },
  ],
  maxWorkers: 2,
  // Integration suites start a broker, a database and the app; their waits carry their own deadlines.
  testTimeout: 120000,
};
