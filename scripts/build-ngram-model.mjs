/**
 * Dev-only: writes `models/open-gram/ngram-model.bin.br`, the word bigram model the mojibake engine
 * weighs its candidates' context with (`src/normalize/ngram-model.ts`), from open-gram's language
 * model of modern Simplified Chinese as Debian ships it (package `sunpinyin-data`, CC-BY-SA 3.0;
 * see `models/open-gram/NOTICE`). The committed file is what the build and the tests use; this
 * script is needed only to make it again:
 *
 *   apt-get install -y sunpinyin-data sunpinyin-utils
 *   node scripts/build-ngram-model.mjs
 *
 * `tslminfo -v` prints the model (`lm_sc.t3g`) as ARPA text with word ids and costs in nats
 * (-ln P; a history's back-off weight as a cost too); the words are the NUL-terminated UTF-32LE
 * strings at the offset in `pydict_sc.bin`'s third header word, in id order. Kept: every unigram
 * with its back-off cost, and the bigrams (its million trigrams are left out: not tried yet).
 * Costs are stored in thousandths (unigrams) or tenths (bigrams) of a nat, the bigrams' next words
 * as differences within their row, so that the file compresses well.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants } from 'node:zlib';
import { writeArraysFile } from '../dist/normalize/binary-file.js';
import { NGRAM_MAGIC } from '../dist/normalize/ngram-model.js';

const DATA = '/usr/lib/x86_64-linux-gnu/sunpinyin/data';
const OUT = fileURLToPath(new URL('../models/open-gram/ngram-model.bin.br', import.meta.url));
/** Bigrams whose cost is within this of what the back-off gives say nothing: left out. At 2 nats
 * the file is 4.3 MB instead of 5.3, but fewer runs (74.1 % against 74.7 %) and whole pages read as
 * GBK (18 of 60 against 23) came back exactly. */
const MIN_BIGRAM_EVIDENCE = Number(process.env.MIN_BIGRAM_EVIDENCE ?? 0.5);

function readLexicon() {
  const bytes = readFileSync(`${DATA}/pydict_sc.bin`);
  const words = [];
  let word = '';
  // From the offset on: each word's code points (UTF-32LE), then a 0.
  for (let at = bytes.readUInt32LE(8); at + 4 <= bytes.length; at += 4) {
    const codePoint = bytes.readUInt32LE(at);
    if (codePoint !== 0) word += String.fromCodePoint(codePoint);
    else {
      words.push(word);
      word = '';
    }
  }
  return words;
}

async function readArpa() {
  const child = spawn('tslminfo', ['-v', `${DATA}/lm_sc.t3g`], { stdio: ['ignore', 'pipe', 'inherit'] });
  const unigrams = [];
  const bigrams = [];
  let section = '';
  for await (const line of createInterface({ input: child.stdout })) {
    if (line.startsWith('\\')) {
      section = line[1];
      continue;
    }
    const p = line.trim().split(/\s+/);
    if (section === '1') unigrams.push([Number(p[0]), Number(p[1]), Number(p[2])]);
    else if (section === '2') bigrams.push([Number(p[0]), Number(p[1]), Number(p[2])]);
  }
  return { unigrams, bigrams };
}

const lexicon = readLexicon();
const { unigrams, bigrams } = await readArpa();
// Id 0 is the sentence boundary (no text): windows of a paragraph never start one, so it goes.
const kept = unigrams.filter(([id]) => id !== 0 && lexicon[id]);
kept.sort((a, b) => a[0] - b[0]);
const dense = new Map(kept.map(([id], k) => [id, k]));
const words = kept.map(([id]) => lexicon[id]);
const text = words.join('');
const chars = new Uint16Array(text.length);
for (let i = 0; i < text.length; i++) chars[i] = text.charCodeAt(i);
const wordEnds = new Int32Array(words.length);
words.reduce((at, w, k) => {
  wordEnds[k] = at + w.length;
  return at + w.length;
}, 0);
const unigramCost = new Uint16Array(kept.map(([, cost]) => Math.round(cost * 1000)));
// Back-off costs are small and may be a little negative: stored with 1 nat added.
const backoffCost = new Uint16Array(kept.map(([, , bow]) => Math.round((bow + 1) * 1000)));

const rows = words.map(() => []);
let pruned = 0;
for (const [from, to, cost] of bigrams) {
  const a = dense.get(from);
  const b = dense.get(to);
  if (a === undefined || b === undefined) continue;
  const backedOff = kept[a][2] + kept[b][1];
  if (Math.abs(backedOff - cost) < MIN_BIGRAM_EVIDENCE) {
    pruned++;
    continue;
  }
  rows[a].push([b, cost]);
}
const rowStarts = new Int32Array(words.length + 1);
let total = 0;
rows.forEach((row, k) => {
  rowStarts[k] = total;
  total += row.length;
});
rowStarts[words.length] = total;
const nextDeltas = new Int32Array(total);
const bigramCost = new Uint8Array(total);
let at = 0;
for (const row of rows) {
  row.sort((x, y) => x[0] - y[0]);
  let previous = 0;
  for (const [b, cost] of row) {
    nextDeltas[at] = b - previous;
    bigramCost[at] = Math.min(255, Math.round(cost * 10));
    previous = b;
    at++;
  }
}

const header = {
  source: 'open-gram lm_sc.t3g and pydict_sc.bin (Debian sunpinyin-data), CC-BY-SA 3.0',
  words: words.length,
  bigrams: total,
  minBigramEvidence: MIN_BIGRAM_EVIDENCE,
};
mkdirSync(fileURLToPath(new URL('.', `file://${OUT}`)), { recursive: true });
const plain = `${OUT}.tmp`;
const size = writeArraysFile(plain, NGRAM_MAGIC, header, [
  chars,
  wordEnds,
  unigramCost,
  backoffCost,
  rowStarts,
  nextDeltas,
  bigramCost,
]);
const compressed = brotliCompressSync(readFileSync(plain), {
  params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_LGWIN]: 24 },
});
writeFileSync(`${OUT}.part`, compressed);
renameSync(`${OUT}.part`, OUT);
rmSync(plain);
console.log(
  `${words.length} words, ${total} bigrams (${pruned} pruned): ${(size / 1e6).toFixed(1)} MB, ${(compressed.length / 1e6).toFixed(1)} MB compressed in ${OUT}`,
);
