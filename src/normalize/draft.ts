/**
 * The draft between the normalizer's two passes. Its shape lives in src/records/draft.ts; this
 * module keeps the path `deleted-words/` and `pipeline.ts` import it by.
 */
export type { DraftDocument } from '../records/draft.js';
