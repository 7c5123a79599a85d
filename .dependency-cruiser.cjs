// The boundaries the folder tree promises, checked on the TypeScript sources (npm run lint:deps, part of npm test).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'libs/domain is the pure ledger: it imports nothing of ours but itself, and no I/O.',
      severity: 'error',
      from: { path: '^libs/domain/' },
      to: { pathNot: ['^libs/domain/', '^node_modules/'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'domain-does-no-io',
      comment: 'No network, file or database modules in the domain (node:crypto for hashing is allowed).',
      severity: 'error',
      from: { path: '^libs/domain/' },
      to: { path: ['^(node:)?(fs|net|http|https|child_process|dgram|dns|tls|worker_threads)$', '^node_modules/(pg|typeorm|@nestjs|@eventstore|fastify)'] },
    },
    {
      name: 'only-apps-read-projections',
      comment: 'Read models are read by the processes (apps/) and the projector; libraries get what they need through ports.',
      severity: 'error',
      from: { path: '^libs/', pathNot: '\\.(int\\.)?spec\\.ts$' },
      to: { path: '^projections/' },
    },
    {
      name: 'libs-never-import-apps',
      severity: 'error',
      from: { path: '^(libs|projections)/' },
      to: { path: '^apps/' },
    },
    {
      name: 'apps-are-separate',
      comment: 'One process does not reach into another process\'s code; what they share lives in libs/.',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'nest-injects-pieces-not-the-runtime',
      comment: 'LedgerRuntime is the composition root of the API process: bootstrap builds it, Nest gets each piece as its own provider (runtime-providers.ts); controllers, services, guards and interceptors inject only the pieces they use.',
      severity: 'error',
      from: { path: '^apps/api/src/', pathNot: '^apps/api/src/(bootstrap|api-app|app\\.module|runtime/runtime-providers)\\.ts$' },
      to: { path: '^apps/api/src/runtime/ledger-runtime\\.ts$' },
    },
    {
      name: 'sdk-stands-alone',
      comment: 'libs/sdk is published as @zentra/sdk: it imports nothing of ours and no package, only Node built-ins (fetch, crypto).',
      severity: 'error',
      from: { path: '^libs/sdk/' },
      to: { pathNot: '^libs/sdk/', dependencyTypesNot: ['core'] },
    },
    {
      name: 'no-circular',
      comment: 'No cycle of runtime imports (a cycle made only by `import type` has no load order and is allowed).',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'production-code-not-from-tests',
      severity: 'error',
      from: { path: '^(apps|libs|projections)/', pathNot: '(\\.(int\\.)?spec\\.ts|/testing/.*)$' },
      to: { path: ['^test/', '\\.spec\\.ts$'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['types', 'import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
  },
};
