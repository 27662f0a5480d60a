/** Near-duplicate detection: canonical text → exact hash, MinHash + LSH band keys, verified copies. */
export {
  comparable,
  DEDUPE_DEFAULTS,
  type DedupeOptions,
  type Fingerprint,
  fingerprint,
  indexFormat,
  PREVIOUS_DEFAULT_FORMATS,
  shingleJaccard,
} from './fingerprint.js';
export { FingerprintCache } from './fingerprint-cache.js';
export {
  bandKeys,
  candidateProbability,
  estimatedJaccard,
  jaccard,
  type LshShape,
  MINHASH_VERSION,
  minhashSignature,
  PERMUTATIONS,
  shingleHashes,
  shingleSet,
} from './minhash.js';
export { copySimilarity, orderedJaccard } from './verify.js';
