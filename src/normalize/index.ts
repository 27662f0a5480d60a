/**
 * The normalizer's public surface: what the CLI, the queue, the store, the feed, the dashboard and
 * the crawl use of it. Code outside src/normalize imports from here, never from a file inside.
 * (The record's shapes themselves live in src/records.)
 */
import { INDEX_FILE } from './deleted-words/dictionary-index.js';
import { TABLE_FILE } from './language-model.js';
import { NGRAM_FILE } from './ngram-model.js';

export { sharedFileBytes, useSharedFileBytes } from './binary-file.js';
export { formatProfiles } from './deleted-words/batch.js';
export { DeletionCycle, relearnDue } from './deleted-words/cycle.js';
export { INDEX_FILE } from './deleted-words/dictionary-index.js';
export type { DeletionProfile } from './deleted-words/profile.js';
export type { ProfileStore, Sample, SampleStore, StoredProfile } from './deleted-words/samples.js';
export {
  byRank,
  pageChars,
  passageAnchors,
  profileWords,
  replaceProfile,
  SAMPLE_SIZE,
  sampleRank,
} from './deleted-words/samples.js';
export { type DecodedBody, type DecodeHints, decodeBytes } from './encoding/decode-bytes.js';
export { normalizeCharsetLabel } from './encoding/labels.js';
export { TABLE_FILE } from './language-model.js';
export { NGRAM_FILE } from './ngram-model.js';
export {
  draftDocument,
  finalizeRecord,
  flagRepairFailed,
  type NormalizeOptions,
  normalizeDocument,
  REPAIR_FAILED,
  readDocument,
} from './pipeline.js';
export { convertKeepingUnresolved } from './protected-runs.js';
export { canonicalText, contentHash, hash64, recordId } from './record.js';
export { convertLines, convertScript, fromHans, toHans } from './script/convert.js';

/** The built files a normalizer's threads read from bytes their caller shares (`sharedFileBytes`):
 * the language model's table, the dictionary index and the bigram model. */
export const SHARED_MODEL_FILES: readonly string[] = [TABLE_FILE, INDEX_FILE, NGRAM_FILE];
