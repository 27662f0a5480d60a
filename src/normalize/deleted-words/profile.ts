/**
 * Per-source deletion profiles (FAULTS.md §3): a site's word filter deletes the same words on
 * every page, so the list is a property of the source, learned from its pages:
 *
 * - marked gaps (a space where a word stood) that a word completes into a dictionary compound,
 *   where it is the likelier explanation, in different phrases;
 * - places where a character is missing its usual partner (`問` without `題`) again and again, in
 *   a source whose marked gaps show a filter at work;
 * - the word being (nearly) absent from the source although the other sources use it, and their
 *   text showing it missing at places in this one;
 * - 在 frames left open (`在…的_保護`) and the one closer the source lacks.
 *
 * A word enters the profile only with support from at least two places and near-absence; a
 * source that deletes nothing comes out with an empty profile.
 */

import type { DraftDocument } from '../draft.js';
import { type LanguageModel, languageModel } from '../language-model.js';
import type { NgramView } from './char-ngram.js';
import { bothSidesHold, contextEvidence, type TextCorpus, type WordSpreads } from './corpus.js';
import { type DictionaryIndex, dictionaryIndex } from './dictionary-index.js';
import {
  bond,
  compoundCandidates,
  hanContext,
  insertionGain,
  MIN_BOND,
  mayStandAlone,
  type Site,
} from './evidence.js';
import { closesFrame } from './frames.js';

export interface ProfileWord {
  word: string;
  /** Distinct phrases with a marked gap that the word most likely fills (the compound it completes). */
  markedGaps: number;
  /** Distinct places where a character lacks this, its usual partner. */
  orphans: number;
  /** Places where intact text of other sources strongly predicts the word, though it is not there. */
  predicted: number;
  /** 在 frames left open (`在…的_保护用户`) that the word closes in other sources' text. */
  frameGaps: number;
  /** Times the word occurs in the source's text, and times the language would lead one to expect. */
  count: number;
  expected: number;
  /** Share of the source's marked gaps this word fills (EM over the profile's words). */
  markedShare: number;
}

export interface DeletionProfile {
  source: string;
  documents: number;
  words: ProfileWord[];
}

/** Text kept per source to count words in (enough for hundreds of pages). */
const MAX_SOURCE_CHARS = 150_000;
const MAX_SITES = 1_500;
/** Support a word needs: places that it explains. */
const MIN_SUPPORT = 2;
/** A filtered word may still slip through now and then (`同時` once in seed 002). */
const ABSENCE_TOLERANCE = 0.25;

const HAN_CHAR = /\p{Script=Han}/u;

/** What pass one keeps of a source's pages for learning its profile. */
export class SourceEvidence {
  documents = 0;
  readonly markedGaps: Site[] = [];
  /** 在 frames left open in the source's pages (see `frames.ts`). */
  readonly frameGaps: Site[] = [];
  private orphansMemo: Map<string, Map<string, string>> | undefined;
  private readonly text: string[] = [];
  private chars = 0;

  constructor(
    readonly source: string,
    private readonly lm: LanguageModel = languageModel(),
    private readonly index: DictionaryIndex = dictionaryIndex(),
  ) {}

  add(draft: DraftDocument): void {
    this.documents++;
    for (const gap of draft.gaps) {
      const sites =
        gap.evidence === 'marked' ? this.markedGaps : gap.evidence === 'frame' ? this.frameGaps : undefined;
      if (!sites || sites.length >= MAX_SITES) continue;
      const text = draft.paragraphs[gap.paragraph] ?? '';
      sites.push({ paragraph: gap.paragraph, offset: gap.offset, ...hanContext(text, gap.offset) });
    }
    // Past the cap, a source has shown what it deletes; more text only costs time.
    for (const paragraph of draft.paragraphs) {
      if (this.chars >= MAX_SOURCE_CHARS) break;
      this.positions = undefined;
      this.text.push(paragraph);
      this.chars += paragraph.length;
      this.orphansMemo = undefined;
    }
  }

  /**
   * Partner character → the distinct left neighbours of the orphans it would complete, each with
   * the orphan and what follows it (`问日益`), to look for in other sources' text. Found on first
   * use (segmenting every paragraph is the expensive part; a source with no marked gap never asks).
   */
  get orphans(): Map<string, Map<string, string>> {
    if (!this.orphansMemo) {
      this.orphansMemo = new Map();
      for (const paragraph of this.text) this.countOrphans(paragraph, this.orphansMemo);
    }
    return this.orphansMemo;
  }

  /** A character standing alone where it nearly always has a partner, and the partner fits. */
  private countOrphans(paragraph: string, orphans: Map<string, Map<string, string>>): void {
    let offset = 0;
    const tokens = this.lm.segment(paragraph);
    tokens.forEach((token, i) => {
      offset += token.length;
      const next = tokens[i + 1];
      if (token.length !== 1 || !HAN_CHAR.test(token) || !next || !HAN_CHAR.test(next)) return;
      const partner = this.index.usualNext(token);
      if (!partner || next.startsWith(partner.char) || mayStandAlone(next, this.lm)) return;
      const { left, right } = hanContext(paragraph, offset);
      if (insertionGain(left, partner.char, right, this.lm) <= 0) return;
      // A fixed phrase repeated on every page (小编) is one observation, not many.
      const neighbours = orphans.get(partner.char) ?? new Map<string, string>();
      if (!neighbours.has(left.slice(-2))) neighbours.set(left.slice(-2), token + right.slice(0, 2));
      orphans.set(partner.char, neighbours);
    });
  }

  /** Where each character stands in the sample: character → [paragraph, offset after it]. */
  private positions: Map<string, [number, number][]> | undefined;

  private positionsAfter(): Map<string, [number, number][]> {
    if (!this.positions) {
      this.positions = new Map();
      this.text.forEach((paragraph, p) => {
        for (let offset = 1; offset < paragraph.length; offset++) {
          const char = paragraph[offset - 1] as string;
          const list = this.positions?.get(char);
          if (list) list.push([p, offset]);
          else this.positions?.set(char, [[p, offset]]);
        }
      });
    }
    return this.positions;
  }

  /**
   * Places in the source's text where the batch's intact text has the surrounding phrase with
   * `word` and not without it (`联系平台的官方_说明情况` + 客服). `joins` says cheaply whether two
   * characters ever stand side by side in the batch.
   */
  placesMissing(
    word: string,
    intact: { corpus: TextCorpus; excluded: ReadonlySet<number> },
    joins: (pair: string) => boolean,
  ): number {
    const first = word.slice(0, 1);
    const last = word.slice(-1);
    let places = 0;
    for (const [left, offsets] of this.positionsAfter()) {
      if (!joins(left + first)) continue;
      for (const [p, offset] of offsets) {
        const paragraph = this.text[p] as string;
        if (!joins(last + (paragraph[offset] as string))) continue;
        if (paragraph.startsWith(word, offset) || paragraph.slice(0, offset).endsWith(word)) continue;
        const found = contextEvidence(intact, paragraph, offset, word);
        if (found.missing && bothSidesHold(paragraph, offset, found.sides)) places++;
      }
    }
    return places;
  }

  /** Occurrences of `word` in the source's text. */
  count(word: string): number {
    let n = 0;
    for (const paragraph of this.text)
      for (let i = paragraph.indexOf(word); i >= 0; i = paragraph.indexOf(word, i + 1)) n++;
    return n;
  }

  get size(): number {
    return this.chars;
  }
}

/** How often the language uses `word` per character of text, from the dictionary's frequencies. */
function expectedRate(word: string, lm: LanguageModel): number {
  const logP = lm.wordLogP(word);
  // Dictionary probabilities are per word; running text has about 1.6 characters a word.
  return logP === undefined ? 0 : Math.exp(logP) / 1.6;
}

/** Filters delete words people write: nothing rarer than this (per word of text) is considered. */
const MIN_WORD_LOGP = Math.log(500 / 60_000_000);
/** Weight of "some word we cannot name" at every gap, against which candidates compete. */
const UNKNOWN_WORD_WEIGHT = 1;

/**
 * Evidence from marked gaps: at each gap the candidates share one unit of belief in proportion to
 * exp(bond), beside an unknown word of bond 0. A gap that many compounds complete (`的_`: 的话,
 * 的确…) spreads its unit thin; a gap only one word completes (`騷擾_`) gives it nearly all of it.
 */
function gapEvidence(
  evidence: SourceEvidence,
  lm: LanguageModel,
): Map<string, { share: number; gaps: number }> {
  const totals = new Map<string, { share: number; places: Set<string> }>();
  for (const site of evidence.markedGaps) {
    const weights = new Map<string, number>();
    for (const word of compoundCandidates(site.left, site.right)) {
      const logP = lm.wordLogP(word);
      if (logP === undefined || logP < MIN_WORD_LOGP) continue;
      const b = bond(site.left, word, site.right, lm);
      if (b >= MIN_BOND) weights.set(word, Math.exp(Math.min(b, 20)));
    }
    let sum = UNKNOWN_WORD_WEIGHT;
    for (const w of weights.values()) sum += w;
    for (const [word, w] of weights) {
      // Only gaps where the word is the likelier explanation count: at `官方_` a dozen compounds
      // (官方论坛, 官方网站, 官方人士…) share the belief, and a hundred such gaps are still no
      // evidence for any one of them.
      if (w / sum < CERTAIN_SHARE) continue;
      const total = totals.get(word) ?? { share: 0, places: new Set<string>() };
      total.share += w / sum;
      // The same sentence on page after page is one place, not many.
      total.places.add(`${site.left.slice(-2)}|${site.right.slice(0, 2)}`);
      totals.set(word, total);
    }
  }
  const out = new Map<string, { share: number; gaps: number }>();
  for (const [word, { share, places }] of totals) out.set(word, { share, gaps: places.size });
  return out;
}

/** The share of a gap's belief a word needs for the gap to count as its evidence. */
const CERTAIN_SHARE = 0.5;

/**
 * Which share of the source's marked gaps each profile word fills: a few rounds of EM, each gap's
 * posterior over the words ∝ share × exp(insertion gain). The share becomes the prior the filler
 * uses, so a word that fills most gaps (電話) is not displaced by one that merely makes a compound
 * with one gap's neighbour (`確認_為` + 題 → 題為).
 */
function markedGapShares(evidence: SourceEvidence, words: string[], lm: LanguageModel): Map<string, number> {
  const shares = new Map(words.map((w) => [w, 1 / Math.max(1, words.length)]));
  if (words.length === 0 || evidence.markedGaps.length === 0) return shares;
  const gains = evidence.markedGaps.map((site) =>
    words.map((w) => insertionGain(site.left, w, site.right, lm)),
  );
  for (let round = 0; round < 10; round++) {
    const totals = words.map(() => 0);
    for (const row of gains) {
      const top = Math.max(...row);
      const weights = row.map((g, i) => (shares.get(words[i] as string) as number) * Math.exp(g - top));
      const sum = weights.reduce((a, b) => a + b, 0);
      weights.forEach((w, i) => {
        totals[i] = (totals[i] as number) + w / sum;
      });
    }
    words.forEach((w, i) => {
      shares.set(w, ((totals[i] as number) + 0.1) / (gains.length + 0.1 * words.length));
    });
  }
  return shares;
}

/**
 * Belief a word needs, summed over the places it explains, to enter a profile: two places where
 * it is nearly certainly what is missing. A weaker word (`進行_` completing `進行曲` at three gaps
 * it shares with `整合`) stays out: inserting a wrong word is worse than leaving a gap.
 */
const MIN_EVIDENCE = 2;

/** Character statistics for learning: the whole batch's counts, and the other sources'. */
export interface BatchStatistics {
  all: NgramView;
  others: NgramView;
  /** Strings of Han characters frequent enough in the batch to be a missing word's candidates. */
  frequent: [string, number][];
  /** The batch's text, searchable for long contexts, and this source's id in it. */
  corpus: { spreads: WordSpreads; source: number };
}

/** Intact text of other sources must be at least this large before its statistics are trusted. */
const MIN_BACKGROUND_CHARS = 50_000;

/** Absent strings checked for predictions per source (a filter deletes a handful of words). */
const MAX_ABSENT_CANDIDATES = 30;
/** A string must occur this often in the batch to be considered as a deleted word. */
const MIN_FREQUENT_COUNT = 8;

/** The candidates for `missingWords`, computed once per batch. */
export function frequentGrams(corpus: TextCorpus): [string, number][] {
  return corpus.frequentGrams(MIN_FREQUENT_COUNT);
}

/**
 * Evidence from intact text of other sources: words the sources that use them use often and this
 * source lacks, and the places where a long context of intact text shows them missing. A deleted
 * word leaves its neighbours behind, so it is found missing about as often as it was expected; a
 * word merely off this source's topics is not.
 */
function missingWords(
  evidence: SourceEvidence,
  stats: BatchStatistics,
  batch: { spreads: WordSpreads; source: number },
  lm: LanguageModel,
): ProfileWord[] {
  const { spreads, source } = batch;
  const size = spreads.size(source);
  if (size === 0) return [];
  const absent: { gram: string; expected: number; count: number }[] = [];
  for (const [gram] of stats.frequent) {
    if (lm.wordLogP(gram) === undefined) continue;
    const spread = spreads.of(gram);
    if (!spread.lacking.has(source)) continue;
    absent.push({ gram, expected: spread.rate * size, count: spread.counts.get(source) ?? 0 });
  }
  // A longer string is absent because a word inside it is (客服电话 without 电话, which other
  // sources use far more widely): the word is the candidate. When the shorter one is used about
  // only inside the longer (征 in 征信), both are tried.
  const candidates = absent.filter(
    (a) => !absent.some((b) => b !== a && a.gram.includes(b.gram) && b.expected >= WIDER_USE * a.expected),
  );
  candidates.sort((a, b) => b.expected - a.expected);
  const joins = (pair: string) => stats.all.count(pair) >= 2;
  const found: ProfileWord[] = [];
  for (const { gram, expected, count } of candidates.slice(0, MAX_ABSENT_CANDIDATES)) {
    const excluded = new Set([source, ...spreads.of(gram).lacking]);
    const predicted = evidence.placesMissing(gram, { corpus: spreads.corpus, excluded }, joins);
    if (predicted < MIN_SUPPORT + 1 || predicted < MIN_PREDICTED_SHARE * expected) continue;
    found.push(absentWord(gram, predicted, count, expected));
  }
  // Of two nested strings (征 and 征信, 题 and 问题) the one missing at more places is the word.
  return found.filter(
    (w) =>
      !found.some(
        (o) => o !== w && (o.word.includes(w.word) || w.word.includes(o.word)) && o.predicted > w.predicted,
      ),
  );
}

/** A word used this many times as widely as a longer string containing it explains its absence. */
const WIDER_USE = 1.5;

/** A deleted word leaves its neighbours behind: it is found missing about as often as expected. */
const MIN_PREDICTED_SHARE = 0.25;

export function learnProfile(
  evidence: SourceEvidence,
  lm: LanguageModel = languageModel(),
  stats?: BatchStatistics,
): DeletionProfile {
  const fromGaps = gapEvidence(evidence, lm);
  const filtered = markedPhrases(evidence) >= MIN_SUPPORT;
  const words: (ProfileWord & { belief: number })[] = [];
  for (const predicted of stats ? missingWords(evidence, stats, stats.corpus, lm) : [])
    words.push({ ...predicted, belief: predicted.predicted });
  for (const closer of stats ? frameClosers(evidence, stats, lm) : []) {
    const known = words.find((w) => w.word === closer.word);
    if (known) known.frameGaps = closer.frameGaps;
    else words.push({ ...closer, belief: closer.frameGaps });
  }
  for (const word of new Set([...fromGaps.keys(), ...(filtered ? evidence.orphans.keys() : [])])) {
    if (words.some((w) => w.word === word)) continue;
    const logP = lm.wordLogP(word);
    if (logP === undefined || logP < MIN_WORD_LOGP) continue;
    // With intact text of other sources at hand, a dictionary guess they never use is not taken.
    if (stats && stats.others.size >= MIN_BACKGROUND_CHARS && stats.others.count(word) < MIN_SUPPORT + 1)
      continue;
    const gap = fromGaps.get(word) ?? { share: 0, gaps: 0 };
    // A character without its usual partner is evidence only where a filter is seen at work: a
    // source whose pages show no marked gap has deleted nothing that we know of (`看完至少能` is
    // complete, not `看完成至少能`).
    const orphans = filtered ? orphanCount(evidence, word, stats) : 0;
    const support = gap.gaps + orphans;
    const belief = gap.share + orphans;
    if (support < MIN_SUPPORT || belief < MIN_EVIDENCE) continue;
    const count = evidence.count(word);
    if (count > Math.max(1, ABSENCE_TOLERANCE * support)) continue;
    const expected = expectedRate(word, lm) * evidence.size;
    words.push({
      word,
      markedGaps: gap.gaps,
      orphans,
      predicted: 0,
      frameGaps: 0,
      count,
      expected: Math.round(expected * 100) / 100,
      markedShare: 0,
      belief,
    });
  }
  // Orphans count only where a filter is seen at work: a word learned from evidence of its own
  // (marked gaps at several places, other sources' text, open frames). Spaces of layout (table
  // cells) or of garbled runs pass for a few marked gaps but complete no word, and then `教你` is
  // complete, not `教育你`.
  if (!words.some((w) => w.markedGaps >= MIN_SUPPORT || w.predicted > 0 || w.frameGaps > 0))
    for (let i = words.length - 1; i >= 0; i--) {
      const w = words[i] as ProfileWord;
      if (w.orphans > 0 && w.markedGaps < MIN_SUPPORT) words.splice(i, 1);
    }
  words.sort((a, b) => b.belief - a.belief || a.word.localeCompare(b.word));
  const shares = markedGapShares(
    evidence,
    words.map((w) => w.word),
    lm,
  );
  for (const word of words) word.markedShare = Math.round((shares.get(word.word) ?? 0) * 1000) / 1000;
  return {
    source: evidence.source,
    documents: evidence.documents,
    words: words.map(({ belief: _belief, ...word }) => word),
  };
}

/**
 * Evidence from 在 frames the source leaves open (`在…的_保护用户`): each lost some closer, and the
 * other sources say which one this source lacks. The frames already show that a closer was
 * deleted, so the absence only has to single one out: the closer that the other sources write
 * after 的 and that this source has clearly fewer of than they would lead one to expect (Poisson
 * tail below `FRAME_ABSENCE_P`). None, or more than one, and the frames stay flagged.
 */
function frameClosers(evidence: SourceEvidence, stats: BatchStatistics, lm: LanguageModel): ProfileWord[] {
  if (evidence.frameGaps.length < MIN_SUPPORT) return [];
  const { spreads, source } = stats.corpus;
  const size = spreads.size(source);
  const lacking: ProfileWord[] = [];
  for (const [gram] of stats.frequent) {
    // The count first: it rules out nearly every frequent string before any dictionary look-up.
    if (stats.others.count(`的${gram}`) < MIN_SUPPORT + 1) continue;
    if (lm.wordLogP(gram) === undefined || !closesFrame(gram, lm)) continue;
    const spread = spreads.of(gram);
    const count = spread.counts.get(source) ?? 0;
    const expected = spread.rate * size;
    if (poissonAtMost(count, expected) >= FRAME_ABSENCE_P) continue;
    lacking.push({ ...absentWord(gram, 0, count, expected), frameGaps: evidence.frameGaps.length });
  }
  return lacking.length === 1 ? lacking : [];
}

/** How unlikely a closer's count must be, given the other sources' rate, to be the one deleted. */
const FRAME_ABSENCE_P = 0.15;

/** P(X ≤ k) for X ~ Poisson(mean). */
function poissonAtMost(k: number, mean: number): number {
  let term = Math.exp(-mean);
  let sum = term;
  for (let i = 1; i <= k; i++) {
    term *= mean / i;
    sum += term;
  }
  return sum;
}

/** Distinct phrases in which the source's pages show a marked gap (the same sentence on every page is one). */
function markedPhrases(evidence: SourceEvidence): number {
  const phrases = new Set<string>();
  for (const site of evidence.markedGaps) phrases.add(`${site.left.slice(-2)}|${site.right.slice(0, 2)}`);
  return phrases.size;
}

/**
 * Places where a character lacks `word`, its usual partner, and other sources do not write the
 * same thing: a name that keeps the character alone (`随借随还`, not `随着`) is theirs too.
 */
function orphanCount(evidence: SourceEvidence, word: string, stats?: BatchStatistics): number {
  const neighbours = evidence.orphans.get(word);
  if (!neighbours) return 0;
  if (!stats) return neighbours.size;
  const { spreads, source } = stats.corpus;
  let count = 0;
  for (const window of neighbours.values()) {
    let elsewhere = 0;
    for (const [s, n] of spreads.corpus.countBySource(window)) if (s !== source) elsewhere += n;
    if (elsewhere === 0) count++;
  }
  return count;
}

/** A word found only by its absence from this source (no gaps or orphans of its own). */
function absentWord(word: string, predicted: number, count: number, expected: number): ProfileWord {
  return {
    word,
    markedGaps: 0,
    orphans: 0,
    predicted,
    frameGaps: 0,
    count,
    expected: Math.round(expected * 100) / 100,
    markedShare: 0,
  };
}
