/**
 * The batch's text, every page's paragraphs tagged with their source, indexed by a suffix array:
 * counts of strings of any length (up to `MAX_PATTERN`), restricted to some sources. What a
 * character 4-gram model cannot say, a long context can: `联系平台的官方_说明情况` is, in the intact
 * text of the batch, `联系平台的官方客服说明情况` and never `官方说明`.
 *
 * Memory is bounded by `maxChars` (the text, a suffix array and a source index: ~10 bytes a
 * character). The index is built on first use after the last `add`.
 */

import type { NgramView } from './char-ngram.js';

/** Longest string `count` can be asked about (the suffix array is sorted to this depth). */
export const MAX_PATTERN = 64;
/** Stands between paragraphs: no match crosses it, and a pattern may start or end with it. */
export const BOUNDARY = '\n';

export class TextCorpus {
  private readonly parts: string[] = [BOUNDARY];
  private readonly partSources: number[] = [-1];
  private chars = 1;
  private readonly sourceIds = new Map<string, number>();
  private index: { text: string; sa: Int32Array; source: Int32Array } | undefined;
  /** `windowFilter`s made, by window length and excluded sources. */
  private readonly windowFilters = new Map<string, WindowFilter>();

  constructor(private readonly maxChars = 500_000) {}

  get size(): number {
    return this.chars;
  }

  get full(): boolean {
    return this.chars >= this.maxChars;
  }

  /** The id of a source (stable for the corpus's life). */
  sourceId(source: string): number {
    let id = this.sourceIds.get(source);
    if (id === undefined) {
      id = this.sourceIds.size;
      this.sourceIds.set(source, id);
    }
    return id;
  }

  /** Adds a paragraph of `source`; false when the corpus is full. */
  add(source: string, paragraph: string): boolean {
    if (this.full) return false;
    const text = paragraph.replaceAll(BOUNDARY, ' ');
    this.parts.push(text + BOUNDARY);
    this.partSources.push(this.sourceId(source));
    this.chars += text.length + 1;
    this.index = undefined;
    return true;
  }

  private built() {
    if (this.index) return this.index;
    const text = this.parts.join('');
    const source = new Int32Array(text.length);
    let at = 0;
    this.parts.forEach((part, i) => {
      source.fill(this.partSources[i] as number, at, at + part.length);
      at += part.length;
    });
    this.index = { text, sa: suffixArray(text, MAX_PATTERN), source };
    return this.index;
  }

  /**
   * Occurrences of `pattern` in the text of sources not in `excluded`, counted up to `cap`.
   * Patterns longer than `MAX_PATTERN` are cut to it.
   */
  count(pattern: string, excluded?: ReadonlySet<number>, cap = 1_000): number {
    if (pattern.length === 0) return 0;
    const { text, sa, source } = this.built();
    const p = pattern.length > MAX_PATTERN ? pattern.slice(0, MAX_PATTERN) : pattern;
    const [from, to] = range(text, sa, p);
    if (!excluded || excluded.size === 0) return Math.min(cap, to - from);
    let n = 0;
    for (let i = from; i < to && n < cap; i++) if (!excluded.has(source[sa[i] as number] as number)) n++;
    return n;
  }

  /** Whether `pattern` occurs in the text of a source not in `excluded` (one binary search). */
  has(pattern: string, excluded?: ReadonlySet<number>): boolean {
    return this.occurrence(pattern, excluded) >= 0;
  }

  /**
   * Where `pattern` (cut to `MAX_PATTERN`) occurs in the text of a source not in `excluded`: the
   * first such place in suffix order, or -1 (`has`).
   */
  occurrence(pattern: string, excluded?: ReadonlySet<number>): number {
    if (pattern.length === 0) return -1;
    const { text, sa, source } = this.built();
    const p = pattern.length > MAX_PATTERN ? pattern.slice(0, MAX_PATTERN) : pattern;
    for (let i = lowerBound(text, sa, p); i < sa.length; i++) {
      const start = sa[i] as number;
      if (compare(text, start, p) !== 0) return -1;
      if (!excluded?.has(source[start] as number)) return start;
    }
    return -1;
  }

  /** Whether `pattern` (up to `MAX_PATTERN`) occurs at `at` in the text of a source not in `excluded`. */
  occursAt(at: number, pattern: string, excluded: ReadonlySet<number>): boolean {
    const { text, source } = this.built();
    return (
      at >= 0 &&
      at + pattern.length <= text.length &&
      pattern.length <= MAX_PATTERN &&
      !excluded.has(source[at] as number) &&
      text.startsWith(pattern, at)
    );
  }

  /** `occursAt` of `source[start, end)`, read in place (no string cut out of `source`). */
  occursAtRange(
    at: number,
    source: string,
    start: number,
    end: number,
    excluded: ReadonlySet<number>,
  ): boolean {
    const { text, source: sources } = this.built();
    const length = end - start;
    if (at < 0 || at + length > text.length || length > MAX_PATTERN || excluded.has(sources[at] as number))
      return false;
    for (let k = 0; k < length; k++)
      if (text.charCodeAt(at + k) !== source.charCodeAt(start + k)) return false;
    return true;
  }

  /**
   * A filter of the strings of `length` characters that start in the text of sources not in
   * `excluded`: one it says are absent are (`has` is false); one it may hold, `has` decides. Built
   * once per length and set of sources, in one pass over the text.
   */
  windowFilter(length: number, excluded: ReadonlySet<number>): WindowFilter {
    const key = `${length}:${[...excluded].sort((a, b) => a - b).join(',')}`;
    let filter = this.windowFilters.get(key);
    if (!filter) {
      const { text, source } = this.built();
      filter = new WindowFilter(length);
      for (let start = 0; start + length <= text.length; start++)
        if (!excluded.has(source[start] as number)) filter.add(text, start);
      this.windowFilters.set(key, filter);
    }
    return filter;
  }

  /** What follows `pattern` (`length` characters) at its first `cap` occurrences outside `excluded`. */
  following(pattern: string, length: number, excluded: ReadonlySet<number>, cap: number): string[] {
    const { text, sa, source } = this.built();
    const [from, to] = range(text, sa, pattern.slice(0, MAX_PATTERN));
    const out: string[] = [];
    for (let i = from; i < to && out.length < cap; i++) {
      const start = sa[i] as number;
      if (excluded.has(source[start] as number)) continue;
      const after = text.slice(start + pattern.length, start + pattern.length + length);
      const end = after.indexOf(BOUNDARY);
      out.push(end >= 0 ? after.slice(0, end + 1) : after);
    }
    return out;
  }

  /** Occurrences of `pattern` per source id (every source, uncapped). */
  countBySource(pattern: string): Map<number, number> {
    const { text, sa, source } = this.built();
    const [from, to] = range(text, sa, pattern.slice(0, MAX_PATTERN));
    // Counted in an array by source id + 1 (the text's leading boundary is source -1; a common
    // character occurs tens of thousands of times, and a `Map` update each cost more than the
    // search), then kept as a `Map` of the sources seen.
    const bySource = new Int32Array(this.sourceIds.size + 1);
    for (let i = from; i < to; i++) {
      const s = (source[sa[i] as number] as number) + 1;
      bySource[s] = (bySource[s] as number) + 1;
    }
    const counts = new Map<number, number>();
    bySource.forEach((n, s) => {
      if (n > 0) counts.set(s - 1, n);
    });
    return counts;
  }

  /**
   * The corpus as a character model (`NgramView`): counts of any string in the text of every
   * source, or of every source but `excluded`.
   */
  view(excluded?: ReadonlySet<number>): NgramView {
    let size: number | undefined;
    const corpus = this;
    return {
      get size() {
        if (size === undefined) {
          size = 0;
          for (const [s, n] of corpus.sizes()) if (!excluded?.has(s)) size += n;
        }
        return size;
      },
      count: (gram) => corpus.count(gram, excluded, Number.POSITIVE_INFINITY),
    };
  }

  /**
   * Strings of 1 to `maxLength` Han characters that occur at least `minCount` times, with their
   * counts, in the order of the suffix array: runs of suffixes that share a prefix.
   */
  frequentGrams(minCount: number, maxLength = 4): [string, number][] {
    const { text, sa } = this.built();
    const out: [string, number][] = [];
    const runStart = new Int32Array(maxLength + 1);
    const close = (length: number, start: number, end: number) => {
      if (end - start < minCount) return;
      const at = sa[start] as number;
      if (at + length > text.length) return;
      const gram = text.slice(at, at + length);
      if (HAN_ONLY.test(gram)) out.push([gram, end - start]);
    };
    for (let j = 1; j <= sa.length; j++) {
      // Characters the suffixes at j - 1 and j have in common, up to maxLength.
      let common = 0;
      if (j < sa.length) {
        const a = sa[j - 1] as number;
        const b = sa[j] as number;
        while (common < maxLength && a + common < text.length && text[a + common] === text[b + common])
          common++;
      }
      for (let length = common + 1; length <= maxLength; length++) {
        close(length, runStart[length] as number, j);
        runStart[length] = j;
      }
    }
    return out;
  }

  /** Characters of text per source id. */
  sizes(): Map<number, number> {
    const sizes = new Map<number, number>();
    this.parts.forEach((part, i) => {
      const s = this.partSources[i] as number;
      if (s >= 0) sizes.set(s, (sizes.get(s) ?? 0) + part.length);
    });
    return sizes;
  }
}

/** Bits of a `WindowFilter` (1 MB): a few hundred thousand windows leave most bits clear. */
const WINDOW_FILTER_BITS = 23;

/**
 * One bit per hash of a fixed-length string (FNV-1a over its code units): clear for every string
 * never added. Lets a caller skip the suffix array's binary search for the many strings a batch
 * does not have.
 */
export class WindowFilter {
  private readonly bits = new Int32Array(2 ** (WINDOW_FILTER_BITS - 5));

  constructor(readonly length: number) {}

  private static bit(text: string, start: number, length: number): number {
    let hash = 0x811c9dc5;
    for (let i = start; i < start + length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
    return (hash >>> 0) & (2 ** WINDOW_FILTER_BITS - 1);
  }

  add(text: string, start: number): void {
    const bit = WindowFilter.bit(text, start, this.length);
    this.bits[bit >>> 5] = (this.bits[bit >>> 5] as number) | (1 << (bit & 31));
  }

  /** False when `text[start, start + length)` was never added; true when it may have been. */
  mayHold(text: string, start: number): boolean {
    const bit = WindowFilter.bit(text, start, this.length);
    return ((this.bits[bit >>> 5] as number) & (1 << (bit & 31))) !== 0;
  }
}

/** -1, 0 or 1 as the suffix of `text` at `start` sorts before, with or after `pattern` (prefix match = 0). */
function compare(text: string, start: number, pattern: string): number {
  for (let k = 0; k < pattern.length; k++) {
    const t = start + k < text.length ? text.charCodeAt(start + k) : -1;
    const c = pattern.charCodeAt(k);
    if (t !== c) return t < c ? -1 : 1;
  }
  return 0;
}

/** The first suffix in `sa` that does not sort before `pattern`. */
function lowerBound(text: string, sa: Int32Array, pattern: string): number {
  let lo = 0;
  let hi = sa.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compare(text, sa[mid] as number, pattern) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The suffixes that start with `pattern`: [from, to) in `sa`. */
function range(text: string, sa: Int32Array, pattern: string): [number, number] {
  const from = lowerBound(text, sa, pattern);
  let lo = from;
  let hi = sa.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compare(text, sa[mid] as number, pattern) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return [from, lo];
}

/**
 * Suffix array by prefix doubling with radix sorts, suffixes ordered by their first `depth`
 * code units (enough for patterns up to that length): O(n log depth).
 */
export function suffixArray(text: string, depth = MAX_PATTERN): Int32Array {
  const n = text.length;
  const sa = new Int32Array(n);
  if (n === 0) return sa;
  let rank = new Int32Array(n);
  let next = new Int32Array(n);
  const second = new Int32Array(n);
  // Round 0: rank by code unit (dense ranks: the units that occur, in order, by a table of all).
  const dense = new Int32Array(0x10000);
  for (let i = 0; i < n; i++) dense[text.charCodeAt(i)] = 1;
  let classes = 0;
  for (let unit = 0; unit < dense.length; unit++) if (dense[unit]) dense[unit] = classes++;
  for (let i = 0; i < n; i++) rank[i] = dense[text.charCodeAt(i)] as number;
  const positions = new Int32Array(n);
  for (let i = 0; i < n; i++) positions[i] = i;
  countingSort(positions, rank, classes, sa);
  for (let k = 1; k < depth && classes < n; k *= 2) {
    // Order by the second key (rank at i + k; past the end first), then stably by the first.
    let m = 0;
    for (let i = n - k; i < n; i++) second[m++] = i;
    for (let j = 0; j < n; j++) {
      const s = sa[j] as number;
      if (s >= k) second[m++] = s - k;
    }
    countingSort(second, rank, classes, sa);
    next[sa[0] as number] = 0;
    classes = 1;
    for (let j = 1; j < n; j++) {
      const a = sa[j - 1] as number;
      const b = sa[j] as number;
      const same =
        rank[a] === rank[b] &&
        (a + k < n ? (rank[a + k] as number) : -1) === (b + k < n ? (rank[b + k] as number) : -1);
      if (!same) classes++;
      next[b] = classes - 1;
    }
    [rank, next] = [next, rank];
  }
  return sa;
}

/** Stable counting sort of `items` by `key[item]` (keys in [0, classes)) into `out`. */
function countingSort(items: Int32Array, key: Int32Array, classes: number, out: Int32Array): void {
  const counts = new Int32Array(classes + 1);
  for (let i = 0; i < items.length; i++) {
    const c = (key[items[i] as number] as number) + 1;
    counts[c] = (counts[c] as number) + 1;
  }
  for (let c = 0; c < classes; c++) counts[c + 1] = (counts[c + 1] as number) + (counts[c] as number);
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as number;
    const c = key[item] as number;
    out[counts[c] as number] = item;
    counts[c] = (counts[c] as number) + 1;
  }
}

/** The text of the sources whose pages can show a given word where it belongs. */
export interface IntactText {
  corpus: TextCorpus;
  /** The page's own source. */
  source: number;
  /** Sources whose text cannot: the page's own, and those that delete (or lack) `word`. */
  excluded(word: string): ReadonlySet<number>;
}

/** Characters of context either side that a match may reach. */
const MAX_SIDE = 16;

/**
 * The longest stretch around `offset` of `text` (with `middle` put in at `offset`) that intact
 * text has: at least one character of context either side (a paragraph's start or end counts as
 * one). `length` is the characters of context matched, 0 when not even that much matched; `left`
 * and `right` how far each side reaches with one character of the other.
 */
export function longestMatch(
  intact: { corpus: TextCorpus; excluded: ReadonlySet<number> },
  text: string,
  offset: number,
  middle: string,
): { length: number; left: number; right: number } {
  // The paragraph's text with a boundary either side.
  const maxLeft = Math.min(MAX_SIDE, offset + 1);
  const maxRight = Math.min(MAX_SIDE, text.length - offset + 1);
  const leftOf = (a: number) =>
    a > offset ? BOUNDARY + text.slice(0, offset) : text.slice(offset - a, offset);
  const rightOf = (b: number) =>
    offset + b > text.length ? text.slice(offset) + BOUNDARY : text.slice(offset, offset + b);
  const seen = (a: number, b: number) => intact.corpus.has(leftOf(a) + middle + rightOf(b), intact.excluded);
  if (!seen(1, 1)) return { length: 0, left: 0, right: 0 };
  // The largest n in [lo, hi] with ok(n), given ok(lo) (attestation shrinks as the context grows).
  const grow = (lo: number, hi: number, ok: (n: number) => boolean) => {
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (ok(mid)) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const a1 = grow(1, maxLeft, (a) => seen(a, 1));
  const b1 = grow(1, maxRight, (b) => seen(a1, b));
  const b2 = grow(1, maxRight, (b) => seen(1, b));
  const a2 = grow(1, maxLeft, (a) => seen(a, b2));
  return { length: Math.max(a1 + b1, a2 + b2), left: a1, right: b2 };
}

/** A source must be expected to use a word this often before its lacking the word says anything. */
const MIN_EXPECTED_USES = 4;
/** …and use it at most this share of that to lack it. */
const LACKING_SHARE = 0.2;

export interface WordSpread {
  /** Uses of the word per source id. */
  counts: Map<number, number>;
  /** Sources that (nearly) never use it although the rest of the batch would lead one to expect it. */
  lacking: Set<number>;
  /** Uses per character in the text of the sources that do not lack it. */
  rate: number;
}

/** How each word is spread over the batch's sources (memoized per word). */
export class WordSpreads {
  private readonly memo = new Map<string, WordSpread>();
  private sizes: Map<number, number> | undefined;

  constructor(readonly corpus: TextCorpus) {}

  size(source: number): number {
    this.sizes ??= this.corpus.sizes();
    return this.sizes.get(source) ?? 0;
  }

  of(word: string): WordSpread {
    let spread = this.memo.get(word);
    if (spread) return spread;
    this.sizes ??= this.corpus.sizes();
    const counts = this.corpus.countBySource(word);
    let lacking = new Set<number>();
    let rate = 0;
    // Twice: the rate of the sources that use the word, once the lacking ones are set aside.
    for (let round = 0; round < 2; round++) {
      let uses = 0;
      let chars = 0;
      for (const [s, size] of this.sizes)
        if (!lacking.has(s)) {
          uses += counts.get(s) ?? 0;
          chars += size;
        }
      rate = chars > 0 ? uses / chars : 0;
      const next = new Set<number>();
      for (const [s, size] of this.sizes)
        if (rate * size >= MIN_EXPECTED_USES && (counts.get(s) ?? 0) <= LACKING_SHARE * rate * size)
          next.add(s);
      lacking = next;
    }
    spread = { counts, lacking, rate };
    this.memo.set(word, spread);
    return spread;
  }
}

/** Characters of context the match with the word must span… */
export const MIN_CONTEXT_MATCH = 4;
/** …and how many more than the longest match without it. */
export const CONTEXT_MARGIN = 3;

/**
 * What the intact text says of `word` at `offset`: the longest context it has around the place
 * with the word, and without it; `missing` when the first is clearly the longer.
 */
export function contextEvidence(
  intact: { corpus: TextCorpus; excluded: ReadonlySet<number> },
  text: string,
  offset: number,
  word: string,
): ContextEvidence {
  const w = longestMatch(intact, text, offset, word);
  let o: ReturnType<typeof longestMatch> | undefined;
  const withoutWord = () => {
    o ??= longestMatch(intact, text, offset, '');
    return o;
  };
  // Each side on its own (the other held to one character), so that a long common stretch on one
  // side (a sentence that often follows `。`) does not hide what the other side says.
  const lead = () => w.left - withoutWord().left + (w.right - withoutWord().right);
  return {
    withWord: w.length,
    sides: { left: w.left, right: w.right },
    get without() {
      return withoutWord().length;
    },
    get lead() {
      return lead();
    },
    get missing() {
      return w.length >= MIN_CONTEXT_MATCH && lead() >= CONTEXT_MARGIN && w.length > withoutWord().length;
    },
  };
}

const BOUNDARY_PUNCTUATION = /[，。！？；：、“”（）]/u;

/**
 * Does the context match reach past an unmarked place on each side: two characters, or one that
 * ends the phrase there (the paragraph's edge, or punctuation, as in `。_期限` or `分期_` at a
 * heading's end)?
 */
export function bothSidesHold(text: string, offset: number, sides: { left: number; right: number }): boolean {
  const holds = (matched: number, edge: boolean, char: string | undefined) =>
    matched >= 2 || (matched === 1 && (edge || BOUNDARY_PUNCTUATION.test(char ?? '')));
  return (
    holds(sides.left, offset === 0, text[offset - 1]) &&
    holds(sides.right, offset === text.length, text[offset])
  );
}

/** Computed as asked: the match without the word only when a question needs it. */
export interface ContextEvidence {
  /** Characters of context around the place that intact text has with the word… */
  readonly withWord: number;
  /** How much of `withWord` lies on each side of the place (a paragraph's edge counts as one). */
  readonly sides: { left: number; right: number };
  /** …and without it. */
  readonly without: number;
  /** How many more characters of context, the two sides counted apart, the word explains. */
  readonly lead: number;
  readonly missing: boolean;
}

/** Characters of identical text either side that make another source's page a copy of this one here. */
export const COPY_CONTEXT = 10;
/** …or this many in all when one side is cut short by the paragraph's start or end. */
const MIN_COPY_CONTEXT = 16;
/** Longest word a copy may show in place of nothing. */
const MAX_COPY_WORD = 4;
const HAN_ONLY = /^\p{Script=Han}+$/u;

/**
 * Places where another source has the same text as `text` with a few Han characters more: the
 * same article copied by another site, with a word in it that this site's filter deleted
 * (`…提供便捷服务的` + 同时 + `保护用户的隐私…`). At least `COPY_CONTEXT` identical characters
 * either side, and intact text never has the two sides joined without the word.
 */
export function copiedInsertions(
  intact: { corpus: TextCorpus; excluded: ReadonlySet<number> },
  text: string,
): { offset: number; word: string }[] {
  const found: { offset: number; word: string }[] = [];
  const { corpus, excluded } = intact;
  // Where the page is a copy, the place after goes on where the last one did (`copyAt`, checked
  // in place); where it is not, most left sides are in no other page (the filter says so). Either
  // way, no search.
  const filter = corpus.windowFilter(COPY_CONTEXT, excluded);
  let copyAt = -1;
  for (let offset = 1; offset < text.length; offset++) {
    // A side cut short by the paragraph's start or end ends with the boundary, as the copy must.
    const leftLength = offset >= COPY_CONTEXT ? COPY_CONTEXT : offset + 1;
    const rightLength = offset + COPY_CONTEXT <= text.length ? COPY_CONTEXT : text.length - offset + 1;
    if (leftLength + rightLength < MIN_COPY_CONTEXT || leftLength < 3 || rightLength < 3) continue;
    // Most places: the copy goes on as this text does, or there is no copy. Away from the
    // paragraph's edges both sides are `text`'s own, read in place: no string is cut out for
    // them (this loop visits every character of every page restored).
    const inside = leftLength === COPY_CONTEXT && rightLength === COPY_CONTEXT;
    if (inside) {
      const from = offset - COPY_CONTEXT;
      if (copyAt >= 0 && corpus.occursAtRange(copyAt + 1, text, from, offset + COPY_CONTEXT, excluded)) {
        copyAt++;
        continue;
      }
      if (!filter.mayHold(text, from)) continue;
    }
    const left =
      offset >= COPY_CONTEXT ? text.slice(offset - COPY_CONTEXT, offset) : BOUNDARY + text.slice(0, offset);
    const right =
      offset + COPY_CONTEXT <= text.length
        ? text.slice(offset, offset + COPY_CONTEXT)
        : text.slice(offset) + BOUNDARY;
    const both = left + right;
    if (!inside) {
      if (copyAt >= 0 && corpus.occursAt(copyAt + 1, both, excluded)) {
        copyAt++;
        continue;
      }
      if (left.length === COPY_CONTEXT && !filter.mayHold(left, 0)) continue;
    }
    copyAt = corpus.occurrence(both, excluded);
    if (copyAt >= 0 || !corpus.has(left, excluded)) continue;
    const words = new Set<string>();
    for (const after of corpus.following(left, COPY_CONTEXT + MAX_COPY_WORD, excluded, 20))
      for (let n = 1; n <= MAX_COPY_WORD; n++)
        if (after.startsWith(right, n) && HAN_ONLY.test(after.slice(0, n))) words.add(after.slice(0, n));
    if (words.size === 1) found.push({ offset, word: [...words][0] as string });
  }
  return found;
}
