/**
 * Time budgets of normalize work, for the queue's normalize worker and `finfaq normalize` alike:
 * a module of its own, with no import, so that `finfaq normalize` does not load Redis's and
 * BullMQ's clients (about a second of start-up) to read one environment variable.
 */

/** Default time budget of a normalize job: a page takes milliseconds to a second or two. */
export const DEFAULT_NORMALIZE_TIMEOUT_MS = 60_000;

/** Learn and restore jobs read a source's 150 sampled pages: their budget is this many times a page's. */
export const BATCH_BUDGET_FACTOR = 10;

/** `env[name]` as a positive whole number, `fallback` when unset; throws on anything else. */
export function positiveInt(name: string, fallback: number, env: NodeJS.ProcessEnv): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`${name}: expected a positive whole number, got ${value}`);
  return n;
}

/** A page's time budget (`FINFAQ_NORMALIZE_TIMEOUT_MS`), for the queue and `finfaq normalize` alike. */
export function normalizeTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  return positiveInt('FINFAQ_NORMALIZE_TIMEOUT_MS', DEFAULT_NORMALIZE_TIMEOUT_MS, env);
}
