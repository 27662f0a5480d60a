/**
 * The dependencies that must never exist (ARCHITECTURE.md): `npm run lint` fails on any of them.
 * Type-only imports count too: a type shared across parts belongs in `src/records/`-like shared
 * modules, not in one part imported by another.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules import each other: one of them holds what both need, or it moves out.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'normalize-is-pure',
      severity: 'error',
      comment: 'The normalizer has no I/O parts: it imports no queue, store, feed, crawl, CLI or dashboard.',
      from: { path: '^src/normalize/' },
      to: { path: '^src/(queue|publish|crawl|cli|dashboard)/' },
    },
    {
      name: 'crawl-not-publish',
      severity: 'error',
      comment: 'The crawl hands raw records on; it knows nothing of publishing.',
      from: { path: '^src/crawl/' },
      to: { path: '^src/(publish|queue|dashboard|cli)/' },
    },
    {
      name: 'publish-not-crawl',
      severity: 'error',
      comment: 'Publishing takes clean records; it knows nothing of crawling or the queues.',
      from: { path: '^src/publish/' },
      to: { path: '^src/(crawl|queue|dashboard|cli)/' },
    },
    {
      name: 'normalize-through-its-index',
      severity: 'error',
      comment: 'Outside src/normalize, the normalizer is used through its public surface, src/normalize/index.ts.',
      from: { path: '^src/', pathNot: '^src/normalize/' },
      to: { path: '^src/normalize/', pathNot: '^src/normalize/index[.]ts$' },
    },
    {
      name: 'records-stand-alone',
      severity: 'error',
      comment: 'The record shapes (src/records) are what the parts share: they import none of the parts.',
      from: { path: '^src/records/' },
      to: { path: '^src/', pathNot: '^src/records/' },
    },
    {
      name: 'no-cli-from-library',
      severity: 'error',
      comment: 'The CLI is the outermost layer: nothing imports it.',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
