/**
 * Every test file's fast-check seed (vitest's `setupFiles`): random seeds explore locally; CI (and
 * `FC_SEED=…`, which a failure prints) replays a fixed one, so that a run is repeatable. A file may
 * set its own after this (`hostile.test.ts` keeps the seed its cases were written against).
 */
import fc from 'fast-check';

if (process.env.FC_SEED || process.env.CI)
  fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261123) });
