/**
 * Writes the normalizer's dictionary files into `dist/` from the dictionary in `@node-rs/jieba`,
 * so that no process or worker thread builds them at start-up: the language model's word table
 * (`dist/language-model.bin`), the deleted-word restorer's index (`dist/dictionary-index.bin`),
 * every character's pinyin readings from `pinyin-pro` (`dist/pinyin-readings.json`), and the
 * committed word bigram model (`models/open-gram/`), decompressed into `dist/ngram-model.bin` with
 * its arrays as the model reads them (next words summed, hash table built), so that worker threads
 * share one copy of it. Run by `npm run build` and `prepare`, after `tsc` has compiled `dist/`. No
 * downloads.
 */
import { INDEX_FILE, writeDictionaryIndex } from '../dist/normalize/deleted-words/dictionary-index.js';
import { TABLE_FILE, writeLanguageModelTable } from '../dist/normalize/language-model.js';
import { NGRAM_FILE, writeNgramModelFile } from '../dist/normalize/ngram-model.js';
import { READINGS_FILE, writeReadingsTable } from '../dist/normalize/pinyin.js';

const started = performance.now();
const tableBytes = writeLanguageModelTable();
const { words, bytes } = writeDictionaryIndex();
const readingsBytes = writeReadingsTable();
const ngramBytes = writeNgramModelFile();
const mb = (n) => (n / 1e6).toFixed(1);
console.log(
  `dictionary files: language model table ${mb(tableBytes)} MB in ${TABLE_FILE}; index of ${words} words ${mb(bytes)} MB in ${INDEX_FILE}; pinyin readings ${mb(readingsBytes)} MB in ${READINGS_FILE}; bigram model ${mb(ngramBytes)} MB in ${NGRAM_FILE} (${((performance.now() - started) / 1000).toFixed(1)} s)`,
);
