/**
 * Writes the deleted-word restorer's dictionary index (`dist/dictionary-index.bin`) from the
 * dictionary in `@node-rs/jieba`, so that no process or worker thread builds it at start-up.
 * Run by `npm run build` and `prepare`, after `tsc` has compiled `dist/`. No downloads.
 */
import { INDEX_FILE, writeDictionaryIndex } from '../dist/normalize/deleted-words/dictionary-index.js';

const started = performance.now();
const { words, bytes } = writeDictionaryIndex();
console.log(
  `dictionary index: ${words} words, ${(bytes / 1e6).toFixed(1)} MB in ${INDEX_FILE} (${((performance.now() - started) / 1000).toFixed(1)} s)`,
);
