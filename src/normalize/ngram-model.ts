/**
 * A word bigram model of modern Simplified Chinese: open-gram's (CC-BY-SA 3.0, see
 * `models/open-gram/NOTICE`), as `scripts/build-ngram-model.mjs` pruned it. The unigram language
 * model (`language-model.ts`) knows how common a word is; this one knows which word follows which
 * (`的` is followed by `时候` far more than by `同时`), which is what tells apart two candidates
 * that are both good words (`可以向平台` and `可以或平台`).
 *
 * Its one job is `context`: how much likelier a text's words are in their order than on their own.
 * It is loaded once, lazily, on the first question (clean text asks none): `dist/ngram-model.bin`
 * as the build decompressed it, or the committed file itself when there is no build.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync } from 'node:zlib';
import { toSimplifiedChars } from './script/char-fold.js';

export const NGRAM_MAGIC = 'NGR1';
/** The model as committed (compressed) and as the build writes it for loading. */
export const NGRAM_SOURCE_FILE = fileURLToPath(
  new URL('../../models/open-gram/ngram-model.bin.br', import.meta.url),
);
export const NGRAM_FILE = fileURLToPath(new URL('../../dist/ngram-model.bin', import.meta.url));

/** Words longer than this are not looked up (the model's longer words are a few hundred names). */
const MAX_WORD_LENGTH = 8;
/** Cost of a character the model does not know: it stands alone and carries no context. As the
 * unigram model's (`language-model.ts`), a little below its rarest word. */
const UNKNOWN_COST = 20;
/** Cost of an ASCII character (a digit, a letter, `?`), as the unigram model's: neutral-ish. */
const ASCII_COST = 7;
/** Word indexes of what the model lacks: an ASCII character, any other character. */
const ASCII = -2;
const UNKNOWN = -1;
/** Scores remembered before the memo starts afresh (why so few: `MEMO_ENTRIES` in `language-model.ts`). */
const MEMO_ENTRIES = 20_000;

export interface NgramReading {
  /** ln P of the text's best segmentation under the bigram model. */
  logP: number;
  /** That minus the same words' unigram ln P: what their order adds (negative for garbage). */
  context: number;
}

export interface NgramModel {
  /** `read(text).logP`, remembered: the mojibake engine scores the same windows many times. */
  score(text: string): number;
  /** The best segmentation's log-probability and what context adds to it (Traditional folded). */
  read(text: string): NgramReading;
  /** `read(text).context`. */
  context(text: string): number;
  /** The words of the best segmentation (characters the model lacks stand alone). */
  segment(text: string): string[];
  /** Every word of the model, in its order. */
  words(): Generator<string>;
  /** ln P(word), or undefined when the model lacks the word (Simplified only). */
  wordLogP(word: string): number | undefined;
  /** ln P(word | previous) with back-off, or undefined when it lacks either (Simplified only). */
  bigramLogP(previous: string, word: string): number | undefined;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const TABLE_BITS = 18;
const TABLE_MASK = 2 ** TABLE_BITS - 1;

function hashRange(text: string, start: number, end: number): number {
  let hash = FNV_OFFSET;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ text.charCodeAt(i), FNV_PRIME);
  return hash >>> 0;
}

interface Header {
  words: number;
  bigrams: number;
}

class BigramModel implements NgramModel {
  private readonly chars: Uint16Array;
  private readonly wordEnds: Int32Array;
  private readonly unigramCost: Float32Array;
  private readonly backoffCost: Float32Array;
  private readonly rowStarts: Int32Array;
  private readonly next: Int32Array;
  private readonly bigramCost: Uint8Array;
  /** Open addressing: word index + 1 at the slot of its hash (0: empty). */
  private readonly table = new Int32Array(2 ** TABLE_BITS);
  /** Viterbi's states, by end * MAX_WORD_LENGTH + length - 1, reused call after call. */
  private stateWord = new Int32Array(0);
  private stateCost = new Float64Array(0);
  private stateBack = new Int32Array(0);
  /** Scores already made; forgotten all at once when full. */
  private readonly scores = new Map<string, number>();

  constructor(arrays: {
    chars: Uint16Array;
    wordEnds: Int32Array;
    unigramCost: Uint16Array;
    backoffCost: Uint16Array;
    rowStarts: Int32Array;
    nextDeltas: Int32Array;
    bigramCost: Uint8Array;
  }) {
    this.chars = arrays.chars;
    this.wordEnds = arrays.wordEnds;
    this.unigramCost = Float32Array.from(arrays.unigramCost, (c) => c / 1000);
    this.backoffCost = Float32Array.from(arrays.backoffCost, (c) => c / 1000 - 1);
    this.rowStarts = arrays.rowStarts;
    this.bigramCost = arrays.bigramCost;
    // The next words are stored as differences within their row: summed up in place (the
    // arrays are this model's own, read for it).
    this.next = arrays.nextDeltas;
    for (let w = 0; w + 1 < this.rowStarts.length; w++)
      for (let k = (this.rowStarts[w] as number) + 1; k < (this.rowStarts[w + 1] as number); k++)
        this.next[k] = (this.next[k] as number) + (this.next[k - 1] as number);
    for (let w = 0; w < this.wordEnds.length; w++) {
      const start = w === 0 ? 0 : (this.wordEnds[w - 1] as number);
      let hash = FNV_OFFSET;
      for (let i = start; i < (this.wordEnds[w] as number); i++)
        hash = Math.imul(hash ^ (this.chars[i] as number), FNV_PRIME);
      let slot = (hash >>> 0) & TABLE_MASK;
      while (this.table[slot] !== 0) slot = (slot + 1) & TABLE_MASK;
      this.table[slot] = w + 1;
    }
  }

  /** The index of the word `text[start, end)` (whose `hashRange` is `hash`), or -1. */
  private lookUp(text: string, start: number, end: number, hash = hashRange(text, start, end)): number {
    let slot = hash & TABLE_MASK;
    for (;;) {
      const entry = this.table[slot] as number;
      if (entry === 0) return -1;
      const w = entry - 1;
      const from = w === 0 ? 0 : (this.wordEnds[w - 1] as number);
      const to = this.wordEnds[w] as number;
      if (to - from === end - start) {
        let same = true;
        for (let i = 0; i < to - from && same; i++)
          same = this.chars[from + i] === text.charCodeAt(start + i);
        if (same) return w;
      }
      slot = (slot + 1) & TABLE_MASK;
    }
  }

  /** Cost (-ln P) of `word` after `previous` (either negative: unknown, no context). */
  private cost(previous: number, word: number): number {
    if (word < 0) return word === ASCII ? ASCII_COST : UNKNOWN_COST;
    const alone = this.unigramCost[word] as number;
    if (previous < 0) return alone;
    let lo = this.rowStarts[previous] as number;
    let hi = (this.rowStarts[previous + 1] as number) - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const id = this.next[mid] as number;
      if (id === word) return (this.bigramCost[mid] as number) / 10;
      if (id < word) lo = mid + 1;
      else hi = mid - 1;
    }
    return (this.backoffCost[previous] as number) + alone;
  }

  score(text: string): number {
    let score = this.scores.get(text);
    if (score === undefined) {
      score = this.viterbi(toSimplifiedChars(text)).logP;
      if (this.scores.size >= MEMO_ENTRIES) this.scores.clear();
      this.scores.set(text, score);
    }
    return score;
  }

  read(text: string): NgramReading {
    const { logP, path } = this.viterbi(toSimplifiedChars(text));
    let alone = 0;
    for (const [word] of path) alone += this.cost(UNKNOWN, word);
    return { logP, context: logP + alone };
  }

  segment(text: string): string[] {
    const { path } = this.viterbi(toSimplifiedChars(text));
    return path.map(([, start, end]) => text.slice(start, end));
  }

  *words(): Generator<string> {
    for (let w = 0; w < this.wordEnds.length; w++)
      yield String.fromCharCode(...this.chars.subarray(w === 0 ? 0 : this.wordEnds[w - 1], this.wordEnds[w]));
  }

  /**
   * The best segmentation of Simplified `s` under the bigram model: its ln P and its words as
   * [word index (negative: unknown), start, end]. Viterbi over (end, length of the last word): a
   * state is the word `s[end - length, end)` reached at its best cost, from the state `back`.
   */
  private viterbi(s: string): { logP: number; path: [number, number, number][] } {
    const n = s.length;
    if (n === 0) return { logP: 0, path: [] };
    const size = (n + 1) * MAX_WORD_LENGTH;
    if (this.stateCost.length < size) {
      this.stateWord = new Int32Array(size * 2);
      this.stateCost = new Float64Array(size * 2);
      this.stateBack = new Int32Array(size * 2);
    }
    const { stateWord: words, stateCost: costs, stateBack: backs } = this;
    // Every word of up to MAX_WORD_LENGTH characters in `s`, each start's hash grown one
    // character at a time: the state `s[i, j)` at slot j * MAX_WORD_LENGTH + j - i - 1.
    for (let i = 0; i < n; i++) {
      let hash = FNV_OFFSET;
      const last = Math.min(n, i + MAX_WORD_LENGTH);
      for (let j = i + 1; j <= last; j++) {
        hash = Math.imul(hash ^ s.charCodeAt(j - 1), FNV_PRIME);
        words[j * MAX_WORD_LENGTH + j - i - 1] = this.lookUp(s, i, j, hash >>> 0);
      }
    }
    for (let j = 1; j <= n; j++) {
      for (let length = 1; length <= MAX_WORD_LENGTH; length++) {
        const slot = j * MAX_WORD_LENGTH + length - 1;
        costs[slot] = Number.POSITIVE_INFINITY;
        const i = j - length;
        if (i < 0) continue;
        // A lone code unit the model lacks (or half of a surrogate pair) stands for itself.
        let word = words[slot] as number;
        if (word < 0 && length > 1) continue;
        if (word < 0 && s.charCodeAt(i) < 0x80) word = ASCII;
        words[slot] = word;
        if (i === 0) {
          costs[slot] = this.cost(UNKNOWN, word);
          backs[slot] = -1;
          continue;
        }
        for (let k = i * MAX_WORD_LENGTH; k < (i + 1) * MAX_WORD_LENGTH; k++) {
          const before = costs[k] as number;
          if (before === Number.POSITIVE_INFINITY) continue;
          const c = before + this.cost(words[k] as number, word);
          if (c < (costs[slot] as number)) {
            costs[slot] = c;
            backs[slot] = k;
          }
        }
      }
    }
    let best = n * MAX_WORD_LENGTH;
    for (let k = best + 1; k < (n + 1) * MAX_WORD_LENGTH; k++)
      if ((costs[k] as number) < (costs[best] as number)) best = k;
    const logP = -(costs[best] as number);
    const path: [number, number, number][] = [];
    for (let k = best; k >= 0; k = backs[k] as number) {
      const end = Math.floor(k / MAX_WORD_LENGTH);
      path.push([words[k] as number, end - (k % MAX_WORD_LENGTH) - 1, end]);
    }
    return { logP, path: path.reverse() };
  }

  context(text: string): number {
    return this.read(text).context;
  }

  wordLogP(word: string): number | undefined {
    const w = this.lookUp(word, 0, word.length);
    return w < 0 ? undefined : -(this.unigramCost[w] as number);
  }

  bigramLogP(previous: string, word: string): number | undefined {
    const p = this.lookUp(previous, 0, previous.length);
    const w = this.lookUp(word, 0, word.length);
    return p < 0 || w < 0 ? undefined : -this.cost(p, w);
  }
}

/** Writes the committed model, decompressed, where `ngramModel()` loads it; returns its size. */
export function writeNgramModelFile(file = NGRAM_FILE): number {
  const bytes = brotliDecompressSync(readFileSync(NGRAM_SOURCE_FILE));
  writeFileSync(file, bytes);
  return bytes.length;
}

/** The model in `file` (as the build wrote it), or from the committed file when it is missing. */
export function loadNgramModel(file = NGRAM_FILE): NgramModel {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    bytes = brotliDecompressSync(readFileSync(NGRAM_SOURCE_FILE));
  }
  const arrays = arraysOf(bytes);
  // Views of the bytes read (the arrays' offsets are multiples of 8 from the file's start), or
  // copies where the buffer does not start on such a boundary.
  const array = <T>(make: (b: ArrayBuffer, offset: number, bytes: number) => T, index: number): T => {
    const [start, end] = arrays[index] as [number, number];
    if ((bytes.byteOffset + start) % 8 === 0)
      return make(bytes.buffer as ArrayBuffer, bytes.byteOffset + start, end - start);
    return make(new Uint8Array(bytes.subarray(start, end)).buffer, 0, end - start);
  };
  return new BigramModel({
    chars: array((b, o, n) => new Uint16Array(b, o, n / 2), 0),
    wordEnds: array((b, o, n) => new Int32Array(b, o, n / 4), 1),
    unigramCost: array((b, o, n) => new Uint16Array(b, o, n / 2), 2),
    backoffCost: array((b, o, n) => new Uint16Array(b, o, n / 2), 3),
    rowStarts: array((b, o, n) => new Int32Array(b, o, n / 4), 4),
    nextDeltas: array((b, o, n) => new Int32Array(b, o, n / 4), 5),
    bigramCost: array((b, o, n) => new Uint8Array(b, o, n), 6),
  });
}

/** Where each array of a file written by `writeArraysFile` (`binary-file.ts`) lies in `bytes`. */
function arraysOf(bytes: Buffer): [number, number][] {
  if (bytes.length < 8 || bytes.toString('latin1', 0, 4) !== NGRAM_MAGIC)
    throw new Error('ngram model: not a model file (rebuild with npm run build)');
  const headerLength = bytes.readUInt32LE(4);
  const header = JSON.parse(bytes.toString('utf8', 8, 8 + headerLength)) as Header & { arrays: number[] };
  const out: [number, number][] = [];
  let at = 8 + headerLength;
  for (const length of header.arrays) {
    at = (at + 7) & ~7;
    out.push([at, at + length]);
    at += length;
  }
  if (at !== bytes.length) throw new Error(`ngram model: ${bytes.length} bytes, expected ${at}`);
  return out;
}

let instance: NgramModel | undefined;

/** The shared model, loaded on first use. */
export function ngramModel(): NgramModel {
  instance ??= loadNgramModel();
  return instance;
}
