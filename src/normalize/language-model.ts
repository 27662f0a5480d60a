/**
 * A small Chinese language model built from jieba's 349,000-word frequency dictionary (shipped in
 * `@node-rs/jieba`). It scores repair candidates: which re-decoding of a garbled run, which
 * charset, which missing byte. Scores are natural-log probabilities; higher is more likely.
 *
 * The model is Simplified: Traditional text is folded character by character before scoring,
 * except that 著 stays 著 where it is part of a word Simplified writes with it (著作, 杂著).
 * It is loaded once, lazily, on the first call that needs it: the dictionary's text, and its word
 * table as the build wrote it (`dist/language-model.bin`, one read; built in memory, about 1 s,
 * when missing).
 */
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { endianness } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readArraysFile, writeArraysFile } from './binary-file.js';
import { toSimplifiedChars } from './script/char-fold.js';
import { foldZhu, ZHU } from './script/zhu-zhe.js';

const require = createRequire(import.meta.url);

/** Words longer than this are not looked up while segmenting: longer dictionary entries are rare. */
const MAX_WORD_LENGTH = 8;
/** Cost of a character the dictionary has never seen (a little below its rarest word). */
const UNKNOWN_CHAR_LOGP = -20;
/** Cost of common punctuation, digits and Latin letters: neutral-ish, so they neither help nor hurt. */
const PUNCTUATION_LOGP = -6;
const ASCII_LOGP = -7;

const PINYIN_LETTER = /^[āáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜńňǹḿ]$/u;
const SURROGATE = /[\uD800-\uDFFF]/;
const COMMON_PUNCTUATION = new Set('，。、；：？！“”‘’（）《》「」『』—…·');

export interface LanguageModel {
  /** Log-probability of the best segmentation of `text` (Traditional is folded first). */
  score(text: string): number;
  /** `score` divided by the number of characters: comparable across lengths. */
  scorePerChar(text: string): number;
  /** Log-probability of one character on its own (unigram over the dictionary's characters). */
  charLogP(char: string): number;
  /** Log-probability of one word, or undefined when the dictionary lacks it. */
  wordLogP(word: string): number | undefined;
  /**
   * `wordLogP` of the words `text[ranges[0], ranges[1])`, `text[ranges[2], ranges[3])`… into
   * `out[0]`, `out[1]`… (NaN where the dictionary lacks the word), for many words of one short
   * text: it is folded once and each word looked up by its range.
   */
  wordLogPsIn(text: string, ranges: ArrayLike<number>, out: Float64Array): void;
  /** The best segmentation of `text` into dictionary words (other characters stand alone). */
  segment(text: string): string[];
  /** Every dictionary word with its log-probability. */
  words(): Generator<[string, number]>;
  /** The dictionary's part-of-speech tag of a word (`v`, `n`, `f`, `uj`…), or undefined. */
  partOfSpeech(word: string): string | undefined;
  /**
   * `segment` and `score` of text that is Simplified already, taken as it is (no fold): for
   * choosing between two Simplified spellings, such as 著 and 着, that the fold would merge.
   */
  segmentSimplified(simplified: string): { words: string[]; logP: number };
  /** Count of a Simplified word in the dictionary as it stands (no fold); 0 when it lacks it. */
  simplifiedWordFrequency(simplified: string): number;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a over UTF-16 code units of `text[start, end)`, without slicing it out. */
function hashRange(text: string, start: number, end: number): number {
  let hash = FNV_OFFSET;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ text.charCodeAt(i), FNV_PRIME);
  return hash >>> 0;
}

const FILTER_BITS = 23;
const FILTER_MASK = 2 ** FILTER_BITS - 1;

interface RangeTableArrays {
  offsets: Int32Array;
  lengths: Uint8Array;
  filter: Int32Array;
}

/**
 * Strings of `text` as an open-addressing hash table: slot → offset and length of the string in
 * `text`. No string is allocated per entry, and look-ups take a range of any text.
 */
class RangeTable {
  readonly offsets: Int32Array;
  readonly lengths: Uint8Array;
  readonly mask: number;
  /**
   * One bit per value of a hash's low `FILTER_BITS` bits, set for the strings held: most strings
   * looked up are not held, and this 1 MB answers for them without touching the table's 10 MB.
   */
  private readonly filter: Int32Array;

  constructor(
    /** The text the table's strings are ranges of, as UTF-16 code units. */
    private readonly units: Uint16Array,
    /** How many strings it is to hold, or the arrays of a table built before (`arrays`). */
    entries: number | RangeTableArrays,
  ) {
    if (typeof entries !== 'number') {
      this.offsets = entries.offsets;
      this.lengths = entries.lengths;
      this.filter = entries.filter;
      this.mask = entries.offsets.length - 1;
      return;
    }
    let size = 1;
    while (size < entries * 2) size <<= 1;
    this.mask = size - 1;
    this.offsets = new Int32Array(size).fill(-1);
    this.lengths = new Uint8Array(size);
    this.filter = new Int32Array(2 ** (FILTER_BITS - 5));
  }

  arrays(): RangeTableArrays {
    return { offsets: this.offsets, lengths: this.lengths, filter: this.filter };
  }

  /** The slot holding `source[start, end)` (whose `hashRange` is `hash`), or the empty slot where it would go. */
  slotOf(source: string, start: number, end: number, hash = hashRange(source, start, end)): number {
    const length = end - start;
    let slot = hash & this.mask;
    for (;;) {
      const offset = this.offsets[slot] as number;
      if (offset < 0) return slot;
      if (this.lengths[slot] === length && this.sameRange(offset, source, start, length)) return slot;
      slot = (slot + 1) & this.mask;
    }
  }

  private sameRange(offset: number, source: string, start: number, length: number): boolean {
    for (let i = 0; i < length; i++)
      if (this.units[offset + i] !== source.charCodeAt(start + i)) return false;
    return true;
  }

  /** The slot holding `source[start, end)` (whose `hashRange` is `hash`), or -1. */
  find(source: string, start: number, end: number, hash = hashRange(source, start, end)): number {
    const bit = hash & FILTER_MASK;
    if (((this.filter[bit >>> 5] as number) & (1 << (bit & 31))) === 0) return -1;
    const slot = this.slotOf(source, start, end, hash);
    return (this.offsets[slot] as number) < 0 ? -1 : slot;
  }

  /** The slot of `text[start, end)` of the table's own text (`text` as a string), taken if it was empty. */
  insert(text: string, start: number, end: number, hash = hashRange(text, start, end)): number {
    const bit = hash & FILTER_MASK;
    this.filter[bit >>> 5] = (this.filter[bit >>> 5] as number) | (1 << (bit & 31));
    const slot = this.slotOf(text, start, end, hash);
    if ((this.offsets[slot] as number) < 0) {
      this.offsets[slot] = start;
      this.lengths[slot] = end - start;
    }
    return slot;
  }

  has(source: string, start: number, end: number, hash: number): boolean {
    return this.find(source, start, end, hash) >= 0;
  }
}

interface WordTableArrays {
  words: RangeTableArrays;
  prefixes: RangeTableArrays;
  freqs: Float64Array | Uint32Array;
  total: number;
  /** `logPs` and `charLogPs` as the build computed them (the same numbers, not computed again). */
  logPs?: Float64Array;
  charLogPs?: Float64Array;
}

/**
 * The dictionary: its words with their frequency and log-probability, and every beginning of a
 * word (`信用` of `信用卡`), so that the segmenter stops extending a word as soon as no dictionary
 * word starts that way. Loading allocates typed arrays and no string per word, so it takes tens of
 * milliseconds instead of a second of Map building and GC.
 */
class WordTable {
  private readonly words: RangeTable;
  private readonly prefixes: RangeTable;
  private readonly freqs: Float64Array | Uint32Array;
  /** `log(freq) - log(total)` of each word's slot, computed once (NaN in empty slots). */
  readonly logPs: Float64Array;
  total = 0;
  private chars: Float64Array | undefined;

  /** The dictionary's text as UTF-16 code units: no string of it is made (6 MB, and ~50 ms). */
  private readonly units: Uint16Array;

  /** Built from the dictionary's text, or loaded: its code units and the arrays built before. */
  constructor(text: string);
  constructor(units: Uint16Array, stored: WordTableArrays);
  constructor(text: string | Uint16Array, stored?: WordTableArrays) {
    if (typeof text !== 'string') {
      if (!stored) throw new Error('a loaded word table needs its arrays');
      this.units = text;
      this.words = new RangeTable(text, stored.words);
      this.prefixes = new RangeTable(text, stored.prefixes);
      this.freqs = stored.freqs;
      this.total = stored.total;
      this.logPs = stored.logPs ?? this.logProbabilities();
      this.chars = stored.charLogPs;
      return;
    }
    this.units = new Uint16Array(text.length);
    for (let i = 0; i < text.length; i++) this.units[i] = text.charCodeAt(i);
    let lines = 1;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
    this.words = new RangeTable(this.units, lines);
    this.prefixes = new RangeTable(this.units, lines);
    this.freqs = new Float64Array(this.words.mask + 1);
    let lineStart = 0;
    while (lineStart < text.length) {
      let lineEnd = text.indexOf('\n', lineStart);
      if (lineEnd < 0) lineEnd = text.length;
      const space = text.indexOf(' ', lineStart);
      if (space > lineStart && space < lineEnd && space - lineStart < 256) {
        let freq = 0;
        for (let i = space + 1; i < lineEnd; i++) {
          const digit = text.charCodeAt(i) - 48;
          if (digit < 0 || digit > 9) break;
          freq = freq * 10 + digit;
        }
        if (freq > 0) this.add(text, lineStart, space, freq);
      }
      lineStart = lineEnd + 1;
    }
    this.logPs = this.logProbabilities();
  }

  private logProbabilities(): Float64Array {
    const logPs = new Float64Array(this.words.mask + 1).fill(Number.NaN);
    const logTotal = Math.log(this.total);
    for (let slot = 0; slot <= this.words.mask; slot++)
      if ((this.words.offsets[slot] as number) >= 0)
        logPs[slot] = Math.log(this.freqs[slot] as number) - logTotal;
    return logPs;
  }

  arrays(): Required<WordTableArrays> {
    return {
      words: this.words.arrays(),
      prefixes: this.prefixes.arrays(),
      freqs: this.freqs,
      total: this.total,
      logPs: this.logPs,
      charLogPs: this.charLogPs(),
    };
  }

  /**
   * Log-probability of each UTF-16 code unit (NaN: unseen) under the character unigram over the
   * dictionary, weighted by word frequency; Han characters all sit in the BMP table.
   */
  charLogPs(): Float64Array {
    if (!this.chars) {
      const counts = this.charCounts();
      let total = 0;
      for (const count of counts) total += count;
      const logTotal = Math.log(total);
      for (let code = 0; code < counts.length; code++)
        counts[code] = counts[code] ? Math.log(counts[code] as number) - logTotal : Number.NaN;
      this.chars = counts;
    }
    return this.chars;
  }

  private add(text: string, start: number, end: number, freq: number): void {
    let hash = FNV_OFFSET;
    for (let i = start; i < end - 1; i++) {
      hash = Math.imul(hash ^ text.charCodeAt(i), FNV_PRIME);
      this.prefixes.insert(text, start, i + 1, hash >>> 0);
    }
    const slot = this.words.insert(text, start, end);
    this.freqs[slot] = (this.freqs[slot] as number) + freq;
    this.total += freq;
  }

  /**
   * The log-probability of the word `text[start, end)`; NaN when it is no word but begins one;
   * undefined when no word begins with it. `hash` is its `hashRange`, which the caller extends one
   * character at a time.
   */
  lookup(text: string, start: number, end: number, hash: number): number | undefined {
    const slot = this.words.find(text, start, end, hash);
    if (slot >= 0) return this.logPs[slot] as number;
    return this.prefixes.has(text, start, end, hash) ? Number.NaN : undefined;
  }

  /** Log-probability of `word`, undefined when the dictionary lacks it. */
  logPOf(word: string): number | undefined {
    return this.logPOfRange(word, 0, word.length);
  }

  /** Log-probability of `text[start, end)`, without slicing it out. */
  logPOfRange(text: string, start: number, end: number): number | undefined {
    if (end <= start || end - start > 255) return undefined;
    const slot = this.words.find(text, start, end);
    return slot < 0 ? undefined : (this.logPs[slot] as number);
  }

  /** Frequency of `word`, 0 when the dictionary lacks it. */
  frequency(word: string): number {
    return this.frequencyOfRange(word, 0, word.length);
  }

  /** Frequency of `text[start, end)`, without slicing it out. */
  frequencyOfRange(text: string, start: number, end: number): number {
    if (end <= start || end - start > 255) return 0;
    const slot = this.words.find(text, start, end);
    return slot < 0 ? 0 : (this.freqs[slot] as number);
  }

  /** The tag after the frequency on the word's line (`保护 13874 v`), or undefined. */
  tagOf(word: string): string | undefined {
    if (word.length === 0 || word.length > 255) return undefined;
    const offset = this.words.offsets[this.words.slotOf(word, 0, word.length)] as number;
    if (offset < 0) return undefined;
    const lineEnd = this.units.indexOf(0x0a, offset);
    const line = this.string(offset + word.length, lineEnd < 0 ? this.units.length : lineEnd);
    return line.trim().split(' ')[1] || undefined;
  }

  *entries(): Generator<[string, number]> {
    const { offsets, lengths, mask } = this.words;
    for (let slot = 0; slot <= mask; slot++) {
      const offset = offsets[slot] as number;
      if (offset >= 0)
        yield [this.string(offset, offset + (lengths[slot] as number)), this.freqs[slot] as number];
    }
  }

  /** Frequency-weighted count of every UTF-16 code unit over all words. */
  charCounts(): Float64Array {
    const counts = new Float64Array(0x10000);
    const { offsets, lengths, mask } = this.words;
    for (let slot = 0; slot <= mask; slot++) {
      const offset = offsets[slot] as number;
      if (offset < 0) continue;
      const freq = this.freqs[slot] as number;
      const end = offset + (lengths[slot] as number);
      for (let i = offset; i < end; i++)
        counts[this.units[i] as number] = (counts[this.units[i] as number] as number) + freq;
    }
    return counts;
  }

  /** The dictionary's text from `start` to `end` (a word, the rest of its line). */
  private string(start: number, end: number): string {
    return String.fromCharCode(...this.units.subarray(start, end));
  }
}

/**
 * Characters of text whose segmentation is remembered before the memo starts afresh. Its texts
 * may hold on to the pages they were cut from: 1M characters cost ~60 MB more at the peak of 10 MB
 * of dumps than 100,000, and saved no time that could be measured.
 */
const SEGMENT_MEMO_CHARS = 100_000;

/**
 * Entries a memo holds before it starts afresh. The strings it keeps are windows cut from pages
 * and may hold on to them: 100,000 entries (with the bigram model's) cost 50–70 MB more at the peak
 * of 10 MB of dumps than 20,000, for no CPU time that could be measured (run side by side, twice).
 */
const MEMO_ENTRIES = 20_000;

/** A memo of a pure function of short strings that forgets everything when full. */
class BoundedMemo<T> {
  private readonly entries = new Map<string, T>();

  get(key: string): T | undefined {
    return this.entries.get(key);
  }

  set(key: string, value: T): void {
    if (this.entries.size >= MEMO_ENTRIES) this.entries.clear();
    this.entries.set(key, value);
  }
}

class JiebaLanguageModel implements LanguageModel {
  private readonly words_: WordTable;
  private readonly logTotal: number;

  /**
   * Scores already made: the mojibake engine scores the same few characters around a run many
   * times over (half of its scores are repeats).
   */
  private readonly scores = new BoundedMemo<number>();
  /**
   * Segmentations already made, as the ends of their tokens: the deleted-word cycle segments the
   * same paragraphs when drafting, learning and restoring, and copied pages repeat them.
   */
  private readonly segments = new Map<string, Uint32Array>();
  /** Characters of the texts `segments` holds; it starts afresh past `SEGMENT_MEMO_CHARS`. */
  private segmentChars = 0;
  /** Viterbi's best scores and back pointers, reused call after call (`viterbi`). */
  private best = new Float64Array(256);
  private back = new Int32Array(256);
  /** `scoreSimplified`'s starts of a Han run's characters, reused call after call (it is not re-entered). */
  private readonly runStarts: number[] = [];
  /** `charLogP` of each UTF-16 code unit asked about (NaN: not yet). */
  private readonly charLogPs = new Float64Array(0x10000).fill(Number.NaN);
  /** `simplifiedCharLogP` of each BMP character asked about (NaN: not yet): no string is cut out for it. */
  private readonly simplifiedUnitLogPs = new Float64Array(0x10000).fill(Number.NaN);

  constructor(table: WordTable) {
    this.words_ = table;
    this.logTotal = Math.log(this.words_.total);
  }

  /** Character unigram over the dictionary (`WordTable.charLogPs`). */
  private charTable(): Float64Array {
    return this.words_.charLogPs();
  }

  private logP(word: string): number | undefined {
    return this.words_.logPOf(word);
  }

  /** The text in Simplified: character by character, 著 by the word. */
  private fold(text: string): string {
    return foldZhu(text, toSimplifiedChars(text), this);
  }

  wordLogP(word: string): number | undefined {
    return this.logP(this.fold(word));
  }

  wordLogPsIn(text: string, ranges: ArrayLike<number>, out: Float64Array): void {
    const folded = toSimplifiedChars(text);
    // The fold of a range is the range of the fold unless 著 (folded by the word) or a character
    // outside the BMP (a range may cut it) is in the text, or a character folds to two.
    const byWord = text.includes(ZHU) || folded.length !== text.length || SURROGATE.test(text);
    for (let k = 0; k + 1 < ranges.length; k += 2) {
      const start = ranges[k] as number;
      const end = ranges[k + 1] as number;
      out[k >> 1] =
        (byWord ? this.wordLogP(text.slice(start, end)) : this.words_.logPOfRange(folded, start, end)) ??
        Number.NaN;
    }
  }

  charLogP(char: string): number {
    if (char.length !== 1) return this.simplifiedCharLogP(toSimplifiedChars(char));
    // The mojibake engine asks about the same few thousand characters all the time.
    const code = char.charCodeAt(0);
    let logP = this.charLogPs[code] as number;
    if (Number.isNaN(logP)) {
      logP = this.simplifiedCharLogP(toSimplifiedChars(char));
      this.charLogPs[code] = logP;
    }
    return logP;
  }

  private simplifiedUnitLogP(code: number): number {
    let logP = this.simplifiedUnitLogPs[code] as number;
    if (Number.isNaN(logP)) {
      logP = this.simplifiedCharLogP(String.fromCharCode(code));
      this.simplifiedUnitLogPs[code] = logP;
    }
    return logP;
  }

  private simplifiedCharLogP(simplified: string): number {
    const char = simplified;
    const known =
      simplified.length === 1 ? (this.charTable()[simplified.charCodeAt(0)] as number) : Number.NaN;
    if (!Number.isNaN(known)) return known;
    if (COMMON_PUNCTUATION.has(char)) return PUNCTUATION_LOGP;
    const code = char.codePointAt(0) ?? 0;
    // ASCII, and the tone-marked Latin of pinyin (ì, ǎ, ü): ordinary in these pages.
    if ((code >= 0x20 && code < 0x7f) || PINYIN_LETTER.test(char)) return ASCII_LOGP;
    return UNKNOWN_CHAR_LOGP;
  }

  score(text: string): number {
    let score = this.scores.get(text);
    if (score === undefined) {
      score = this.scoreSimplified(this.fold(text));
      this.scores.set(text, score);
    }
    return score;
  }

  private scoreSimplified(simplified: string): number {
    let total = 0;
    const starts = this.runStarts;
    starts.length = 0;
    for (let i = 0; i < simplified.length; ) {
      const code = simplified.codePointAt(i) as number;
      const width = code > 0xffff ? 2 : 1;
      if (isHan(code)) starts.push(i);
      else {
        if (starts.length > 0) {
          starts.push(i);
          this.viterbi(simplified, starts);
          total += this.best[starts.length - 1] as number;
          starts.length = 0;
        }
        total +=
          width === 1 ? this.simplifiedUnitLogP(code) : this.simplifiedCharLogP(simplified.slice(i, i + 2));
      }
      i += width;
    }
    if (starts.length > 0) {
      starts.push(simplified.length);
      this.viterbi(simplified, starts);
      total += this.best[starts.length - 1] as number;
    }
    return total;
  }

  scorePerChar(text: string): number {
    const length = [...text].length;
    return length === 0 ? 0 : this.score(text) / length;
  }

  segment(text: string): string[] {
    const cuts = this.segments.get(text);
    if (cuts) {
      const tokens: string[] = [];
      for (let k = 0, from = 0; k < cuts.length; from = cuts[k++] as number)
        tokens.push(text.slice(from, cuts[k]));
      return tokens;
    }
    const folded = this.fold(text);
    const tokens = this.segmentFolded(folded, text);
    // Kept as the ends of its tokens (the tokens are cut out of `text` itself when the fold kept
    // its length): a few bytes a token, not a string each.
    if (folded.length === text.length && text.length <= SEGMENT_MEMO_CHARS / 16) {
      if (this.segmentChars + text.length > SEGMENT_MEMO_CHARS) {
        this.segments.clear();
        this.segmentChars = 0;
      }
      const ends = new Uint32Array(tokens.length);
      let end = 0;
      tokens.forEach((token, k) => {
        end += token.length;
        ends[k] = end;
      });
      this.segments.set(text, ends);
      this.segmentChars += text.length;
    }
    return tokens;
  }

  segmentSimplified(simplified: string): { words: string[]; logP: number } {
    return { words: this.segmentFolded(simplified, simplified), logP: this.scoreSimplified(simplified) };
  }

  simplifiedWordFrequency(simplified: string): number {
    return this.words_.frequency(simplified);
  }

  /** The best segmentation of `simplified`, cut out of `text` (the same text before folding). */
  private segmentFolded(simplified: string, text: string): string[] {
    // The fold maps characters one to one; should it ever change a length, cut the folded text.
    const original = simplified.length === text.length ? text : simplified;
    const tokens: string[] = [];
    const starts: number[] = [];
    const flush = (end: number) => {
      if (starts.length === 0) return;
      starts.push(end);
      this.viterbi(simplified, starts);
      const back = this.back;
      const cuts: number[] = [];
      for (let k = starts.length - 1; k > 0; k = back[k] as number) cuts.push(k);
      let from = 0;
      for (const cut of cuts.reverse()) {
        tokens.push(original.slice(starts[from], starts[cut]));
        from = cut;
      }
      starts.length = 0;
    };
    for (let i = 0; i < simplified.length; ) {
      const code = simplified.codePointAt(i) as number;
      const width = code > 0xffff ? 2 : 1;
      if (isHan(code)) starts.push(i);
      else {
        flush(i);
        tokens.push(original.slice(i, i + width));
      }
      i += width;
    }
    flush(simplified.length);
    return tokens;
  }

  partOfSpeech(word: string): string | undefined {
    return this.words_.tagOf(this.fold(word));
  }

  *words(): Generator<[string, number]> {
    for (const [word, freq] of this.words_.entries()) yield [word, Math.log(freq) - this.logTotal];
  }

  /**
   * Viterbi over dictionary words on `text`, whose characters of one Han run start at `starts`
   * (the last entry is the run's end), into `best` and `back` (read by the caller before the next
   * call). Looks words up by range, so no substring is allocated.
   */
  private viterbi(text: string, starts: number[]): void {
    const n = starts.length - 1;
    // The arrays are reused call after call (read by the caller before the next call).
    if (this.best.length < n + 1) {
      this.best = new Float64Array(2 * (n + 1));
      this.back = new Int32Array(2 * (n + 1));
    }
    const { best, back } = this;
    best.fill(Number.NEGATIVE_INFINITY, 0, n + 1);
    const table = this.words_;
    best[0] = 0;
    for (let start = 0; start < n; start++) {
      const base = best[start] as number;
      const from = starts[start] as number;
      const last = Math.min(n, start + MAX_WORD_LENGTH);
      // The word's hash grows with it, one character at a time.
      let hash = FNV_OFFSET;
      let at = from;
      for (let end = start + 1; end <= last; end++) {
        const to = starts[end] as number;
        for (; at < to; at++) hash = Math.imul(hash ^ text.charCodeAt(at), FNV_PRIME);
        const wordLogP = table.lookup(text, from, to, hash >>> 0);
        let logp: number;
        if (wordLogP !== undefined && !Number.isNaN(wordLogP)) logp = wordLogP;
        else if (end === start + 1) logp = UNKNOWN_CHAR_LOGP;
        else if (wordLogP === undefined) break;
        else continue;
        const candidate = base + logp;
        if (candidate > (best[end] as number)) {
          best[end] = candidate;
          back[end] = start;
        }
        // No dictionary word begins with this: none is longer either.
        if (wordLogP === undefined) break;
      }
    }
  }
}

function isHan(code: number): boolean {
  return (
    (code >= 0x4e00 && code <= 0x9fff) ||
    (code >= 0x3400 && code <= 0x4dbf) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0x20000 && code <= 0x3134f)
  );
}

// -- The table built at build time (`binary-file.ts`), so that no process or worker thread builds it.

const MAGIC = 'FFLM';
/** Changes whenever the table's layout or what goes into it does. */
const FORMAT = 2;

interface TableHeader {
  format: number;
  /**
   * The dictionary the table was built from: `@node-rs/jieba`'s version, its file's length in
   * bytes and its text's in UTF-16 code units (the text is stored too, read without decoding UTF-8).
   */
  dictionary: string;
  dictionaryBytes: number;
  dictionaryChars: number;
  total: number;
}

/** Where the build writes the table and every process reads it: `dist/` at the package's root. */
export const TABLE_FILE = fileURLToPath(new URL('../../dist/language-model.bin', import.meta.url));

/** The version of the package whose dictionary the model reads. */
export function dictionaryVersion(): string {
  return (require('@node-rs/jieba/package.json') as { version: string }).version;
}

function dictionaryBytes(): Uint8Array {
  return (require('@node-rs/jieba/dict') as { dict: Uint8Array }).dict;
}

/**
 * The length of the file `@node-rs/jieba/dict` reads, without reading it (requiring that module
 * reads its 5 MB and 6 MB of idf too); -1 when it cannot be found.
 */
function dictionaryFileBytes(): number {
  try {
    return statSync(join(dirname(require.resolve('@node-rs/jieba/package.json')), 'dict.txt')).size;
  } catch {
    return -1;
  }
}

function dictionaryText(): string {
  return new TextDecoder().decode(dictionaryBytes());
}

/** Builds the model's table from the dictionary and writes it to `file` (the build's step). */
export function writeLanguageModelTable(file = TABLE_FILE): number {
  const text = dictionaryText();
  const arrays = new WordTable(text).arrays();
  const header: TableHeader = {
    format: FORMAT,
    dictionary: dictionaryVersion(),
    dictionaryBytes: dictionaryBytes().length,
    dictionaryChars: text.length,
    total: arrays.total,
  };
  const { words, prefixes } = arrays;
  const utf16 = Buffer.from(text, 'utf16le');
  return writeArraysFile(file, MAGIC, header, [
    words.offsets,
    words.lengths,
    words.filter,
    prefixes.offsets,
    prefixes.lengths,
    prefixes.filter,
    // Counts, all below 2^32: half the bytes of doubles (a megabyte read is ~4 ms of page faults).
    Uint32Array.from(arrays.freqs),
    arrays.logPs,
    arrays.charLogPs,
    new Uint8Array(utf16.buffer, utf16.byteOffset, utf16.length),
  ]);
}

/**
 * Why a file the build wrote from jieba's dictionary cannot be used: another format, or another
 * dictionary than the installed one (its version, and its size where the file recorded it).
 */
export function staleDictionaryFile(
  header: { format: number; dictionary: string; dictionaryBytes?: number },
  format: number,
): string | undefined {
  if (header.format !== format) return `format ${header.format}, expected ${format}`;
  const version = dictionaryVersion();
  if (
    header.dictionary !== version ||
    (header.dictionaryBytes !== undefined && header.dictionaryBytes !== dictionaryFileBytes())
  )
    return `built from @node-rs/jieba ${header.dictionary}, installed ${version}`;
  return undefined;
}

/** The table stored in `file` for the installed dictionary, or the reason it cannot be used. */
function readTable(file: string): WordTable | string {
  const stored = readArraysFile<TableHeader>(file, MAGIC);
  if (typeof stored === 'string') return stored;
  const { header } = stored;
  const stale = staleDictionaryFile(header, FORMAT);
  if (stale) return stale;
  // The text is read as the file's UTF-16LE code units, in place.
  if (endianness() !== 'LE') return 'stored little-endian, read on a big-endian machine';
  const [textBuffer, textAt, textBytes] = stored.bytes(9);
  const units = new Uint16Array(textBuffer, textAt, textBytes / 2);
  if (units.length !== header.dictionaryChars) return 'truncated dictionary text';
  const uint32s = (k: number) => {
    const [buffer, at, bytes] = stored.bytes(k);
    return new Uint32Array(buffer, at, bytes / 4);
  };
  const float64s = (k: number) => {
    const [buffer, at, bytes] = stored.bytes(k);
    return new Float64Array(buffer, at, bytes / 8);
  };
  const int32s = (k: number) => {
    const [buffer, at, bytes] = stored.bytes(k);
    return new Int32Array(buffer, at, bytes / 4);
  };
  const uint8s = (k: number) => {
    const [buffer, at, bytes] = stored.bytes(k);
    return new Uint8Array(buffer, at, bytes);
  };
  return new WordTable(units, {
    words: { offsets: int32s(0), lengths: uint8s(1), filter: int32s(2) },
    prefixes: { offsets: int32s(3), lengths: uint8s(4), filter: int32s(5) },
    freqs: uint32s(6),
    total: header.total,
    logPs: float64s(7),
    charLogPs: float64s(8),
  });
}

/** The model over jieba's dictionary, its table read from `file` or, missing or stale, built (said on stderr). */
export function loadLanguageModel(file = TABLE_FILE): LanguageModel {
  let table = readTable(file);
  if (typeof table === 'string') {
    process.stderr.write(
      `finfaq: language model table ${file}: ${table}; building it in memory (about 1 s; \`npm run build\` writes it)\n`,
    );
    table = new WordTable(dictionaryText());
  }
  return new JiebaLanguageModel(table);
}

/** The model with its table built in memory, without the file (tests compare the two). */
export function buildLanguageModel(): LanguageModel {
  return new JiebaLanguageModel(new WordTable(dictionaryText()));
}

let shared: LanguageModel | undefined;

/** The process-wide model, loaded on first use. */
export function languageModel(): LanguageModel {
  shared ??= loadLanguageModel();
  return shared;
}
