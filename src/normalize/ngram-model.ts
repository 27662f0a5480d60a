/**
 * A word bigram model of modern Simplified Chinese: open-gram's (CC-BY-SA 3.0, see
 * `models/open-gram/NOTICE`), as `scripts/build-ngram-model.mjs` pruned it. The unigram language
 * model (`language-model.ts`) knows how common a word is; this one knows which word follows which
 * (`的` is followed by `时候` far more than by `同时`), which is what tells apart two candidates
 * that are both good words (`可以向平台` and `可以或平台`).
 *
 * Its one job is `context`: how much likelier a text's words are in their order than on their own.
 * It is loaded once, lazily, on the first question (clean text asks none): `dist/ngram-model.bin`
 * as the build wrote it (every array as the model reads it, so that threads can share one copy of
 * its bytes: `sharedFileBytes`), or from the committed file itself when there is no build.
 */
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync } from 'node:zlib';
import { parseArraysFile, readArraysFile, writeArraysFile } from './binary-file.js';
import { toSimplifiedChars } from './script/char-fold.js';

/** The committed file's kind: next words stored as differences within their row, costs as uint16. */
export const NGRAM_MAGIC = 'NGR1';
/** The build's file: every array as the model reads it (next words summed, costs as floats, the
 * hash table built), so that loading changes nothing and threads can share the bytes. */
const LOADABLE_MAGIC = 'NGR2';
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

/** The arrays the model reads, never changed once made (threads may share their bytes). */
interface ModelArrays {
  chars: Uint16Array;
  wordEnds: Int32Array;
  /** -ln P(word). */
  unigramCost: Float32Array;
  /** The back-off weight's cost, -ln, of each word as a history. */
  backoffCost: Float32Array;
  /** Each history's row in `next` and `bigramCost`, by word index (one more for the end). */
  rowStarts: Int32Array;
  /** The words seen after each history, ascending within its row. */
  next: Int32Array;
  /** -ln P(word | history) × 10, beside `next`. */
  bigramCost: Uint8Array;
  /** Open addressing: word index + 1 at the slot of its hash (0: empty). */
  table: Int32Array;
}

/** The arrays of the committed file's kind (`NGRAM_MAGIC`), made into what the model reads. */
function loadableArrays(bytes: Buffer): ModelArrays {
  const stored = parseArraysFile<Header>(bytes, NGRAM_MAGIC);
  if (typeof stored === 'string') throw new Error(`ngram model: ${stored} (rebuild with npm run build)`);
  // Copies, not views: the next words are summed in place.
  const copy = <T>(make: (b: ArrayBuffer, offset: number, bytes: number) => T, index: number): T => {
    const [buffer, offset, length] = stored.bytes(index);
    return make(new Uint8Array(buffer, offset, length).slice().buffer, 0, length);
  };
  const chars = copy((b, o, n) => new Uint16Array(b, o, n / 2), 0);
  const wordEnds = copy((b, o, n) => new Int32Array(b, o, n / 4), 1);
  const unigramCost = copy((b, o, n) => new Uint16Array(b, o, n / 2), 2);
  const backoffCost = copy((b, o, n) => new Uint16Array(b, o, n / 2), 3);
  const rowStarts = copy((b, o, n) => new Int32Array(b, o, n / 4), 4);
  const next = copy((b, o, n) => new Int32Array(b, o, n / 4), 5);
  const bigramCost = copy((b, o, n) => new Uint8Array(b, o, n), 6);
  // The next words are stored as differences within their row (they compress better so).
  for (let w = 0; w + 1 < rowStarts.length; w++)
    for (let k = (rowStarts[w] as number) + 1; k < (rowStarts[w + 1] as number); k++)
      next[k] = (next[k] as number) + (next[k - 1] as number);
  const table = new Int32Array(2 ** TABLE_BITS);
  for (let w = 0; w < wordEnds.length; w++) {
    const start = w === 0 ? 0 : (wordEnds[w - 1] as number);
    let hash = FNV_OFFSET;
    for (let i = start; i < (wordEnds[w] as number); i++)
      hash = Math.imul(hash ^ (chars[i] as number), FNV_PRIME);
    let slot = (hash >>> 0) & TABLE_MASK;
    while (table[slot] !== 0) slot = (slot + 1) & TABLE_MASK;
    table[slot] = w + 1;
  }
  return {
    chars,
    wordEnds,
    unigramCost: Float32Array.from(unigramCost, (c) => c / 1000),
    backoffCost: Float32Array.from(backoffCost, (c) => c / 1000 - 1),
    rowStarts,
    next,
    bigramCost,
    table,
  };
}

class BigramModel implements NgramModel {
  private readonly chars: Uint16Array;
  private readonly wordEnds: Int32Array;
  private readonly unigramCost: Float32Array;
  private readonly backoffCost: Float32Array;
  private readonly rowStarts: Int32Array;
  private readonly next: Int32Array;
  private readonly bigramCost: Uint8Array;
  private readonly table: Int32Array;
  /** Viterbi's states, by end * MAX_WORD_LENGTH + length - 1, reused call after call. */
  private stateWord = new Int32Array(0);
  private stateCost = new Float64Array(0);
  private stateBack = new Int32Array(0);
  /** Scores already made; forgotten all at once when full. */
  private readonly scores = new Map<string, number>();

  /** `arrays` are only read: they may be views of bytes other threads share. */
  constructor(arrays: ModelArrays) {
    this.chars = arrays.chars;
    this.wordEnds = arrays.wordEnds;
    this.unigramCost = arrays.unigramCost;
    this.backoffCost = arrays.backoffCost;
    this.rowStarts = arrays.rowStarts;
    this.next = arrays.next;
    this.bigramCost = arrays.bigramCost;
    this.table = arrays.table;
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
      // The cost alone: no path is built for a score (the mojibake engine asks for many).
      const best = this.fillStates(toSimplifiedChars(text));
      score = best < 0 ? 0 : -(this.stateCost[best] as number);
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
   * [word index (negative: unknown), start, end].
   */
  private viterbi(s: string): { logP: number; path: [number, number, number][] } {
    const best = this.fillStates(s);
    if (best < 0) return { logP: 0, path: [] };
    const logP = -(this.stateCost[best] as number);
    const path: [number, number, number][] = [];
    for (let k = best; k >= 0; k = this.stateBack[k] as number) {
      const end = Math.floor(k / MAX_WORD_LENGTH);
      path.push([this.stateWord[k] as number, end - (k % MAX_WORD_LENGTH) - 1, end]);
    }
    return { logP, path: path.reverse() };
  }

  /**
   * Viterbi over (end, length of the last word) on Simplified `s`: a state is the word
   * `s[end - length, end)` reached at its best cost, from the state `back`. Fills the states and
   * returns the best final one (-1 for empty text).
   */
  private fillStates(s: string): number {
    const n = s.length;
    if (n === 0) return -1;
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
    return best;
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

interface LoadableHeader extends Header {
  tableBits: number;
  /** The size of the committed file it was made from: a build older than the model is not used. */
  sourceBytes: number;
}

/** Writes the committed model where `ngramModel()` loads it, as the model reads it; returns its size. */
export function writeNgramModelFile(file = NGRAM_FILE): number {
  const source = readFileSync(NGRAM_SOURCE_FILE);
  const bytes = brotliDecompressSync(source);
  const a = loadableArrays(bytes);
  const header: LoadableHeader = {
    words: a.wordEnds.length,
    bigrams: a.next.length,
    tableBits: TABLE_BITS,
    sourceBytes: source.length,
  };
  return writeArraysFile(file, LOADABLE_MAGIC, header, [
    a.chars,
    a.wordEnds,
    a.unigramCost,
    a.backoffCost,
    a.rowStarts,
    a.next,
    a.bigramCost,
    a.table,
  ]);
}

/** The arrays stored in `file` by `writeNgramModelFile`, as views of its bytes, or why they cannot be used. */
function readLoadable(file: string): ModelArrays | string {
  const stored = readArraysFile<LoadableHeader>(file, LOADABLE_MAGIC);
  if (typeof stored === 'string') return stored;
  if (stored.header.tableBits !== TABLE_BITS) return `hash table of 2^${stored.header.tableBits} slots`;
  if (stored.header.sourceBytes !== statSync(NGRAM_SOURCE_FILE).size) return 'built from another model';
  const view = <T>(make: (b: ArrayBuffer, offset: number, length: number) => T, index: number): T =>
    make(...stored.bytes(index));
  return {
    chars: view((b, o, n) => new Uint16Array(b, o, n / 2), 0),
    wordEnds: view((b, o, n) => new Int32Array(b, o, n / 4), 1),
    unigramCost: view((b, o, n) => new Float32Array(b, o, n / 4), 2),
    backoffCost: view((b, o, n) => new Float32Array(b, o, n / 4), 3),
    rowStarts: view((b, o, n) => new Int32Array(b, o, n / 4), 4),
    next: view((b, o, n) => new Int32Array(b, o, n / 4), 5),
    bigramCost: view((b, o, n) => new Uint8Array(b, o, n), 6),
    table: view((b, o, n) => new Int32Array(b, o, n / 4), 7),
  };
}

/**
 * The model in `file` (as the build wrote it; in a thread, from the bytes its starter shared), or
 * from the committed file when it is missing (said on stderr when it is there but cannot be used).
 */
export function loadNgramModel(file = NGRAM_FILE): NgramModel {
  const arrays = readLoadable(file);
  if (typeof arrays !== 'string') return new BigramModel(arrays);
  if (arrays !== 'missing')
    process.stderr.write(
      `finfaq: bigram model ${file}: ${arrays}; read from the committed file (\`npm run build\` writes it)\n`,
    );
  return new BigramModel(loadableArrays(brotliDecompressSync(readFileSync(NGRAM_SOURCE_FILE))));
}

let instance: NgramModel | undefined;

/** The shared model, loaded on first use. */
export function ngramModel(): NgramModel {
  instance ??= loadNgramModel();
  return instance;
}
