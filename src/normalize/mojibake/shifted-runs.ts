/**
 * Repair of shifted GBK runs (FAULTS.md §2, §8, §9): candidates from `shifted-gbk.ts`, the choice
 * by the language model, and what is left alone.
 *
 * For every `?` after a character GBK encodes in two bytes, each way the run can end is decoded
 * (the lost first character pinned by its reading or picked by the model, the unknown last byte
 * picked by the model) and every decoding, together with the text as it stands, is scored over the
 * same window: the text before the run, the run, and the text after the farthest end. A wrong end
 * leaves garbage in the window or garbles clean text, so the window's score tells the ends apart.
 * The few likeliest first and last characters (by their close context) are read in full; the
 * choice's confidence is its share of the probability (tempered, see `TEMPERATURE`) among the text
 * as it stands, every decoding read, and the characters never read, each counted as weighing what
 * the last one read does in proportion to its close-context probability (`restOf`). A decoding
 * sure enough replaces the run; a run that reads as garbage and is not repaired with confidence is
 * reported as unresolved, with its place; a `?` before text that reads well is an ordinary
 * question mark and is left alone.
 */
import type { LanguageModel } from '../language-model.js';
import { roundConfidence, softmax } from '../probability.js';
import type { TextRepair, UnresolvedSpan } from '../types.js';
import { scoreInContext } from './context-score.js';
import { restoreDroppedPairs } from './dropped-pairs.js';
import { EMPTY_VOCABULARY, type PageVocabulary } from './page-vocabulary.js';
import { charPrior, closersOpenAfter, closesOpener, isTraditionalContext } from './priors.js';
import {
  droppedPairHeads,
  firstCharacters,
  lastCharacters,
  lastReadingConfirms,
  loneCharacters,
  MAX_RUN_CHARS,
  middleCharacters,
  type RunEnd,
  type RunShape,
  runShape,
  runStartAt,
} from './shifted-gbk.js';

/**
 * A repair at or above this confidence replaces the run; below, the run is kept and reported. Since
 * the choices never read in full count as what they would weigh (`restOf`, `rankShortlisted`),
 * confidences are higher, and on pages with other faults around the runs (three seeds) repairs at
 * 0.90–0.97 were wrong 3 in 40 (`收入和支持` for 支出, `来的` for 来电); none at 0.97 or above.
 */
export const MIN_RUN_CONFIDENCE = 0.97;
/**
 * Language-model log-scores are divided by this before they become probabilities. Calibration on
 * generated runs (`npm run eval:mojibake`, seeds 5000, 7000, 9000) set it with the bigram model in
 * the score: at 0.9 and below wrong repairs appeared. Since the choices never read in full are
 * counted (`restOf`), 1.0 and 1.1 still let a wrong repair through at 0.9 and cost exact ones; the
 * bar was raised instead (`MIN_RUN_CONFIDENCE`).
 */
const TEMPERATURE = 0.95;
/** Characters of context either side when a lost character is picked (the window comparison
 * that follows reads the chosen few in full). */
const PICK_CONTEXT_CHARS = 4;
/** Characters of context either side of the window. */
const CONTEXT_CHARS = 8;
/** A run whose characters score below this many nats each on average reads as garbage. */
const GARBLED_MEAN_LOGP = -9;
/** A run that a decoding reads this many nats better than it stands is garbage, however its own
 * characters score (`苍嚼丛蕉唷` is made of ordinary characters; `也越来越多` reads 40 nats better). */
const GARBLED_GAIN = 6;
/**
 * Log-odds that a bare `?` is a question mark rather than a lost character, added to the text as
 * it stands: `呢?用郵你貸` (a product name the model does not know) must not become `呢延綿]你貸`.
 */
const QUESTION_MARK_PRIOR = 4;
/**
 * A clause that asks (`在哪里?`, `怎么又有了?`, `…吗?`) ends on a question mark far more often than
 * on a lost character: more log-odds for the text as it stands, and the `?` is not taken for
 * garbage by its surroundings alone (an emoji after it, a new sentence without a space).
 */
const QUESTION_WORD_PRIOR = 4;
/** Words that make the clause before a `?` a question (not 么 alone: 那么, 这么 ask nothing). */
const INTERROGATIVE =
  /吗|嗎|呢|哪|什么|什麼|啥|怎|为何|為何|为什么|為什麼|多少|是否|如何|难道|難道|能否|可否|是不是|有没有|有沒有/u;
/** Where a clause starts, looking back from a `?`. */
const CLAUSE_BREAK = /[，。！？；：,.!?;:\n]/u;
const CLAUSE_REACH = 16;

/** The clause just before `chars[at]`, at most `reach` characters of it. */
export function clauseBefore(chars: readonly string[], at: number, reach = CLAUSE_REACH): string {
  let from = at;
  while (from > 0 && at - from < reach && !CLAUSE_BREAK.test(chars[from - 1] as string)) from--;
  return chars.slice(from, at).join('');
}

/** Whether the clause just before `chars[at]` asks a question. */
export function asksQuestion(chars: readonly string[], at: number): boolean {
  return INTERROGATIVE.test(clauseBefore(chars, at));
}

/** `?` places tried per paragraph: real paragraphs have a few runs, hostile ones thousands of `?`. */
const MAX_STARTS_PER_PARAGRAPH = 64;
/** Runs read per paragraph, the links of chains (`readChain`) included: a paragraph of `贷?贷?…`
 * would otherwise read each of its 64 starts as a chain of 64 links. */
const MAX_READS_PER_PARAGRAPH = 2 * MAX_STARTS_PER_PARAGRAPH;
/** The decoder dropped the lone byte before ASCII without printing `?`: possible, less likely. */
const OPEN_INSIDE_PENALTY = 2;
/**
 * A `?` inside a run read as a folded `？` (A3 BF): possible, but far more often the decoder printed
 * it for a pair GBK does not map (bytes lost), and decoding through it makes garbage (`＃胯款人`).
 */
const INNER_LOST_PENALTY = 4;
/**
 * A decoding that leaves a rare character standing alone (no word takes it: 溃, 矗, 垦) has garbage
 * left in it. Clean generated and seed prose shows one such character per 1,700 (瞭, 呗); the
 * decodings of runs with lost bytes show one every few characters.
 */
const RARE_SINGLE_LOGP = -10;
const RARE_SINGLE_PENALTY = 4;
/** A decoding with this many rare lone characters is not repaired, however it scores: it is listed.
 * One is enough: on generated runs this keeps a fifth of the decodings of damaged runs out. */
const MAX_RARE_SINGLES = 1;
/** A reading after a resync letter that names the decoded character, or names another one. */
const LAST_READING_BONUS = 6;
const LAST_READING_MISMATCH = 6;

/**
 * How a paragraph usually ends, for the last byte when the run reaches the end. The lead byte is
 * known, so these compete only with characters that share it (。 with 、…“”」》 and symbols); on
 * generated runs the earlier, flatter table (。 0.8) made right choices look 0.88 sure when 99 in
 * 100 were right. A closer whose opener is open earns `OPEN_CLOSER_BONUS` on top.
 */
const END_OF_PARAGRAPH_PRIOR: Record<string, number> = {
  '。': 0.95,
  '！': 0.01,
  '？': 0.01,
  '”': 0.01,
  '…': 0.01,
  '）': 0.005,
  '」': 0.005,
};
const OPEN_CLOSER_BONUS = 4;
const OTHER_END_PRIOR = 0.001;
/** Sentence-final particles that ask: after them a paragraph ends on `？`. */
const QUESTION_PARTICLES = /[吗嗎呢么麼吧]$/;
const AFTER_QUESTION_PRIOR: Record<string, number> = { '？': 0.85, '！': 0.05, '。': 0.05 };

export interface ShiftedRunsOutput {
  text: string;
  repairs: TextRepair[];
  unresolved: UnresolvedSpan[];
}

interface Choice {
  text: string;
  probability: number;
}

/** The options ranked by their (tempered) probability, best first. */
function rank(options: string[], scores: number[]): Choice[] {
  const probabilities = softmax(scores.map((s) => s / TEMPERATURE));
  return options
    .map((text, k) => ({ text, probability: probabilities[k] as number }))
    .sort((a, b) => b.probability - a.probability);
}

/**
 * Candidates scored in full context; the rest are ranked out by their closest neighbours. The near
 * scores rank well enough that reading more in full changes nothing: on generated runs (three
 * seeds) 6 repaired as many runs exactly as 16 (78.5, 78.7, 80.9 % against 78.1, 78.5, 80.9 %),
 * with no wrong repair more, for 30 % fewer window scores.
 */
const SHORTLIST = 6;
/** …and where a head may stand for a dropped pair (`headPickOf`). */
const PAIR_HEADS_SHORTLIST = 16;

/** Candidates kept by their own frequency before any context is read. */
const PREFILTER = 40;

const formsWordRanges = new Int32Array(4);
const formsWordLogPs = new Float64Array(2);

/** The characters either side of a choice, for the look-ups that keep a rare candidate. */
class Neighbours {
  constructor(
    private readonly lm: LanguageModel,
    private readonly left: string,
    private readonly right: string,
  ) {}

  /** Whether `option` makes a word of two with the character before or after it (one text folded
   * and looked up by ranges, as `nearScore` does: asked of a hundred options a pick). */
  formsWord(option: string): boolean {
    const text = this.left + option + this.right;
    const from = this.left.length;
    const to = from + option.length;
    // An empty range where a neighbour is missing: no word.
    formsWordRanges.set([0, this.left ? to : 0, from, this.right ? text.length : from]);
    this.lm.wordLogPsIn(text, formsWordRanges, formsWordLogPs);
    return !Number.isNaN(formsWordLogPs[0]) || !Number.isNaN(formsWordLogPs[1]);
  }
}

/** The candidate lists are the characters of one lead or trail byte: a few hundred lists, sorted
 * once each by the characters' own frequency (the model's, which never changes). Keyed by the
 * list's length and three of its characters, which tell them apart. */
const frequencyOrders = new Map<string, string[]>();

function byFrequency(options: string[], lm: LanguageModel): string[] {
  const key = `${options.length}:${options[0]}:${options.at(-1)}:${options[options.length >> 1]}`;
  let sorted = frequencyOrders.get(key);
  if (!sorted) {
    sorted = [...options].sort((a, b) => lm.charLogP(b) - lm.charLogP(a));
    frequencyOrders.set(key, sorted);
  }
  return sorted;
}

/** Two characters put back for a dropped pair (`droppedPairHeads`), per character: as one word
 * where they are one (`太多`), else each on its own. */
function pairLogP(lm: LanguageModel, pair: string): number {
  const word = lm.wordLogP(pair);
  if (word !== undefined) return word / 2;
  return [...pair].reduce((sum, c) => sum + lm.charLogP(c), 0) / 2;
}

/** The last character's lead byte is known and its words with the run's end are few: fewer do. */
const LAST_SHORTLIST = 6;

/**
 * How well `char` fits between `left` and `right` by dictionary look-ups alone: the best of the
 * character on its own and the words of two or three characters it would form with its neighbours.
 * A stand-in for the model on a short window, at a hundredth of the cost, for shortlisting.
 */
/** `nearScore`'s word ranges and their log-probabilities, reused call after call. */
const nearRanges = new Int32Array(10);
const nearLogPs = new Float64Array(5);

function nearScore(lm: LanguageModel, left: string, char: string, right: string): number {
  let best = [...char].length === 1 ? lm.charLogP(char) : pairLogP(lm, char);
  // The words l1+char, char+r1, l2+char, char+r2 and l1+char+r1, as ranges of one text.
  const l1 = Math.min(1, left.length);
  const l2 = Math.min(2, left.length);
  const r1 = Math.min(1, right.length);
  const r2 = Math.min(2, right.length);
  const text = left.slice(left.length - l2) + char + right.slice(0, r2);
  const from = l2;
  const to = l2 + char.length;
  nearRanges.set([from - l1, to, from, to + r1, from - l2, to, from, to + r2, from - l1, to + r1]);
  lm.wordLogPsIn(text, nearRanges, nearLogPs);
  for (let k = 0; k < 5; k++) {
    if ((nearRanges[2 * k + 1] as number) - (nearRanges[2 * k] as number) < 2) continue;
    const logP = nearLogPs[k] as number;
    // A word spans its neighbours too: spread its probability over its characters.
    if (!Number.isNaN(logP)) best = Math.max(best, logP / 2);
  }
  return best;
}

/** The options of one pick worth reading in full, and what is known of the others. */
interface Shortlist {
  options: string[];
  /** Near scores of the options pruned, and of the last option kept (see `rankShortlist`). */
  pruned: number[];
  worstNear: number;
}

/**
 * The options worth reading in full, best by `near` (the model over the closest characters) first:
 * a hundred candidate characters cost a hundred short scores and a few long ones.
 */
function shortlistByNear(
  lm: LanguageModel,
  neighbours: Neighbours,
  options: string[],
  near: (option: string) => number,
  size = SHORTLIST,
): Shortlist {
  if (options.length <= size) return { options, pruned: [], worstNear: 0 };
  // A hundred and ninety characters share a lead byte: the commonest forty are looked at, and
  // those that make a word with a neighbour (the forty alone dropped 惯 of 习惯, 贷 of 借贷).
  if (options.length > PREFILTER) {
    const common = byFrequency(options, lm).slice(0, PREFILTER);
    const kept = new Set(common);
    options = [...common, ...options.filter((o) => !kept.has(o) && neighbours.formsWord(o))];
  }
  const nearScores = options.map(near);
  const order = options
    .map((_, k) => k)
    .sort((a, b) => (nearScores[b] as number) - (nearScores[a] as number));
  return {
    options: order.slice(0, size).map((k) => options[k] as string),
    pruned: order.slice(size).map((k) => nearScores[k] as number),
    worstNear: nearScores[order[Math.min(size, order.length) - 1] as number] as number,
  };
}

/**
 * The shortlist ranked by `full` (the model over a window). The options pruned still count in the
 * probabilities, so that pruning never makes a choice look surer than it is: each as if it read as
 * the last one kept does, give or take what its close context says (their near scores' difference).
 * Their share under the near scores alone made right choices look far less sure than they were:
 * the near scores are flat (`来说` 0.82 sure where the window read it 0.995).
 */
function rankShortlist(shortlist: Shortlist, full: (option: string) => number): Choice[] {
  const { options, pruned, worstNear } = shortlist;
  if (pruned.length === 0) return rank(options, options.map(full));
  const fullScores = options.map(full);
  const worstFull = fullScores.at(-1) as number;
  const probabilities = softmax(
    [...fullScores, ...pruned.map((near) => worstFull + near - worstNear)].map((x) => x / TEMPERATURE),
  );
  return options
    .map((text, k) => ({ text, probability: probabilities[k] as number }))
    .sort((a, b) => b.probability - a.probability);
}

/** `options` ranked by `full`, after `near` keeps the likeliest `size` (`shortlistByNear`). */
function rankShortlisted(
  lm: LanguageModel,
  neighbours: Neighbours,
  options: string[],
  near: (option: string) => number,
  full: (option: string) => number,
  size = SHORTLIST,
): Choice[] {
  return rankShortlist(shortlistByNear(lm, neighbours, options, near, size), full);
}

/** First characters carried into the window comparison, best by their close context first. */
const HEADS_COMPARED = 3;
/** Last characters (their byte unknown) carried into the window comparison, for each head. */
const LASTS_COMPARED = 2;
/** Lone characters (both bytes in doubt) carried into the window comparison. */
const LONE_COMPARED = 3;

/** The few likeliest choices of one character carried into the window comparison. */
interface Pick {
  kept: Choice[];
  /** `restOf` the choices left out. */
  rest: number;
  /** What the priors add to each kept choice (counted again in the window comparison). */
  extras: number[];
}

/**
 * log(mass of the choices after the first `kept` / probability of the last kept one): added to
 * that one's window score, it stands for every choice never read in full, as if each read as well
 * as the last one compared does, in proportion to its close-context probability.
 */
function restOf(ranked: readonly Choice[], kept: number): number {
  const last = ranked[kept - 1];
  if (!last || last.probability <= 0) return Number.NEGATIVE_INFINITY;
  // The shortlist's own probabilities already count what it pruned (`rankShortlisted`).
  const keptMass = ranked.slice(0, kept).reduce((sum, c) => sum + c.probability, 0);
  const rest = 1 - keptMass;
  return rest <= 1e-12 ? Number.NEGATIVE_INFINITY : Math.log(rest) - Math.log(last.probability);
}

function pickOf(ranked: readonly Choice[], count: number, extra: (choice: string) => number): Pick {
  const kept = ranked.slice(0, count);
  return { kept, rest: restOf(ranked, kept.length), extras: kept.map((c) => extra(c.text)) };
}

/** A character the bytes fix: nothing to choose. */
function certain(char: string): Pick {
  return { kept: [{ text: char, probability: 1 }], rest: Number.NEGATIVE_INFINITY, extras: [0] };
}

interface Candidate {
  end: RunEnd;
  /** What replaces `chars[start, end.end)`. */
  decoded: string;
  /** Characters the first pick gave: 2 where it put a dropped pair back (`droppedPairHeads`). */
  headChars?: number;
  /** Where the picked characters rank among their own (0 = best by close context). */
  headRank: number;
  lastRank: number;
  /** `restOf` the first and of the last characters left out of the window comparison. */
  headRest: number;
  lastRest: number;
  prior: number;
  /** What the page's pairs add (`page-vocabulary.ts`): evidence for one candidate over another,
   * not that the run is garbage, so it does not count towards `GARBLED_GAIN`. */
  pageBonus?: number;
  /** What the priors of the picked characters add (`charPrior`, how paragraphs end): evidence for
   * one candidate over another, as `pageBonus` is, not that the run is garbage. */
  pickPrior?: number;
}

/**
 * The page's pairs (`page-vocabulary.ts`) count this many times in the window comparison: they
 * already did once in picking the first character, but the model's word over the window undoes a
 * single count. On generated runs (three seeds) twice repaired about 1 % more runs exactly, three
 * times made wrong repairs.
 */
const PAGE_PAIRS_WEIGHT = 2;

/** What every choice of one run reads: its text and where it stands. */
interface RunContext {
  chars: readonly string[];
  shape: RunShape;
  lm: LanguageModel;
  page: PageVocabulary;
  before: string;
  paragraph: string;
  traditional: boolean;
}

/** One real character, both its bytes in doubt (only where a reading narrows it). */
function loneCandidates(run: RunContext, end: RunEnd, prior: number, after: string): Candidate[] {
  const { lm, shape, page, before, paragraph, traditional } = run;
  const lone = loneCharacters(shape, end);
  if (lone.length === 0) return [];
  const place = { before, context: paragraph, traditional, atEnd: end.atParagraphEnd };
  const loneExtra = (c: string) => charPrior(c, place) + page.bonus(shape.previous, c, after.slice(0, 1));
  const ranked = rankShortlisted(
    lm,
    new Neighbours(lm, before.slice(-1), after.slice(0, 1)),
    lone,
    (c) => nearScore(lm, before, c, after) + loneExtra(c),
    (c) => scoreInContext(lm, before + c + after) + loneExtra(c),
  );
  const pick = pickOf(ranked, LONE_COMPARED, () => 0);
  return pick.kept.map((c, rank) => ({
    end,
    decoded: c.text,
    prior,
    headRank: rank,
    lastRank: 0,
    headRest: pick.rest,
    lastRest: Number.NEGATIVE_INFINITY,
  }));
}

/** Characters before the last one that its near score reads (`nearScore`'s two). */
const NEAR_CONTEXT_CHARS = 2;

/** What a run's last characters are ranked by, remembered across its heads (`lastPickOf`). */
interface LastPicks {
  /** Ranked picks by what their window reads: the last `PICK_CONTEXT_CHARS` before them and
   * the brackets those leave open. */
  picks: Map<string, Pick>;
  /** Shortlists by what their near scores read: the last `NEAR_CONTEXT_CHARS`, the brackets. */
  shortlists: Map<string, Shortlist>;
}

/**
 * The run's last character where its trail byte is unknown, after `head` and the middle. What it
 * reads of the text before it is the last few characters and the brackets left open, so heads
 * that agree there share their pick, and their shortlist (the costly part) where they agree on the
 * last two characters: on a run with a few middle characters, each of the three heads compared.
 */
function lastPickOf(
  run: RunContext,
  end: RunEnd,
  head: string,
  middle: string,
  after: string,
  remembered: LastPicks,
): Pick {
  const { lm, page, before, paragraph, traditional } = run;
  const lasts = lastCharacters(run.shape, end);
  if (lasts.length <= 1)
    return lasts.length === 1 ? certain(lasts[0] as string) : { kept: [], rest: 0, extras: [] };
  const tail = (head + middle).slice(-CONTEXT_CHARS);
  const open = closersOpenAfter(before + head + middle);
  const pickKey = `${end.end}|${open}|${tail.slice(-PICK_CONTEXT_CHARS)}`;
  const known = remembered.picks.get(pickKey);
  if (known) return known;
  const table = QUESTION_PARTICLES.test(middle) ? AFTER_QUESTION_PRIOR : END_OF_PARAGRAPH_PRIOR;
  // Built once: the extra is asked of every candidate.
  const place = { before: before + head + middle, context: paragraph, traditional, atEnd: false };
  const lastExtra = (z: string) =>
    (end.atParagraphEnd
      ? Math.log(table[z] ?? OTHER_END_PRIOR) + (closesOpener(z, place.before) ? OPEN_CLOSER_BONUS : 0)
      : charPrior(z, place)) + page.bonus(tail.slice(-1), z, after.slice(0, 1));
  const shortlistKey = `${end.end}|${open}|${tail.slice(-NEAR_CONTEXT_CHARS)}`;
  let shortlist = remembered.shortlists.get(shortlistKey);
  if (!shortlist) {
    shortlist = shortlistByNear(
      lm,
      new Neighbours(lm, tail.slice(-1), after.slice(0, 1)),
      lasts,
      (z) => nearScore(lm, tail, z, after) + lastExtra(z),
      LAST_SHORTLIST,
    );
    remembered.shortlists.set(shortlistKey, shortlist);
  }
  const ranked = rankShortlist(
    shortlist,
    (z) =>
      scoreInContext(lm, tail.slice(-PICK_CONTEXT_CHARS) + z + after.slice(0, PICK_CONTEXT_CHARS)) +
      lastExtra(z),
  );
  const pick = pickOf(ranked, LASTS_COMPARED, lastExtra);
  remembered.picks.set(pickKey, pick);
  return pick;
}

/**
 * Log-odds of a first character whose pair with the next was dropped against one whose was not:
 * about one character in fifteen has a user-defined trail byte (13 of GBK's 190).
 */
const DROPPED_PAIR_HEAD_PRIOR = -3;

/** First and second characters of a dropped-pair head looked at, by their neighbour each. */
const PAIR_FIRSTS = 3;
const PAIR_SECONDS = 8;

/**
 * The likeliest heads of two (`droppedPairHeads`): a reading leaves a thousand or two (13 trails ×
 * ~126 leads), so each character is first ranked by the word it makes with its neighbour (or its
 * own frequency), as `dropped-pairs.ts` does, and the two-character words they can make are added
 * (the dictionary look-ups of `nearScore` alone rank a rare word, `太监`, over `太多`).
 */
function likeliestPairHeads(run: RunContext, end: RunEnd, next: string): string[] {
  const { firsts, seconds } = droppedPairHeads(run.shape, end);
  if (firsts.length === 0) return [];
  const { lm } = run;
  const left = run.before.slice(-1);
  const right = next.slice(0, 1);
  const best = (options: string[], word: (c: string) => string, count: number) =>
    options
      .map((c) => ({
        c,
        s: Math.max(lm.charLogP(c), (lm.wordLogP(word(c)) ?? Number.NEGATIVE_INFINITY) / 2),
      }))
      .sort((x, y) => y.s - x.s)
      .slice(0, count)
      .map(({ c }) => c);
  const heads = new Set<string>();
  const topFirsts = best(firsts, (c) => left + c, PAIR_FIRSTS);
  for (const a of topFirsts) for (const b of best(seconds, (c) => c + right, PAIR_SECONDS)) heads.add(a + b);
  for (const a of topFirsts) for (const b of seconds) if (lm.wordLogP(a + b) !== undefined) heads.add(a + b);
  return [...heads];
}

/** The run's first character, the one lost to `?`, picked by its close context. */
function headPickOf(run: RunContext, end: RunEnd, middle: string): Pick {
  const { lm, shape, page, before, paragraph, traditional } = run;
  const next = middle.slice(0, CONTEXT_CHARS);
  // The page's pairs count in the window comparison too, or the model's word there undoes them
  // (they are the candidate's `pageBonus`, not part of this extra).
  const place = { before, context: paragraph, traditional, atEnd: false };
  const charPriorOf = (h: string) => charPrior(h, place);
  // A head of two characters stands for a dropped pair (`droppedPairHeads`): less likely a priori.
  const headPrior = (h: string) =>
    [...h].length === 1
      ? charPriorOf(h)
      : DROPPED_PAIR_HEAD_PRIOR + [...h].reduce((sum, c) => sum + charPriorOf(c), 0);
  const headExtra = (h: string) => headPrior(h) + page.bonus(shape.previous, h, next.slice(0, 1));
  const pairHeads = likeliestPairHeads(run, end, next);
  const ranked = rankShortlisted(
    lm,
    new Neighbours(lm, before.slice(-1), next.slice(0, 1)),
    [...firstCharacters(shape, end), ...pairHeads],
    (h) => nearScore(lm, before, h, next) + headExtra(h),
    (h) =>
      scoreInContext(lm, before.slice(-PICK_CONTEXT_CHARS) + h + next.slice(0, PICK_CONTEXT_CHARS)) +
      headExtra(h),
    // Near scores rank a rare word of two over a common one (`太监` over `太多`): heads that may
    // stand for a dropped pair are read in full more widely.
    pairHeads.length > 0 ? PAIR_HEADS_SHORTLIST : SHORTLIST,
  );
  return pickOf(ranked, HEADS_COMPARED, headPrior);
}

/**
 * Decodings of the run: for each possible end, with each of the likeliest first characters (their
 * close context decides) and, where its byte is unknown, each of the likeliest last characters.
 * Ends whose bytes do not decode are dropped.
 */
function candidatesOf(
  chars: readonly string[],
  shape: RunShape,
  lm: LanguageModel,
  page: PageVocabulary,
): Candidate[] {
  const paragraph = chars.join('');
  const run: RunContext = {
    chars,
    shape,
    lm,
    page,
    before: chars.slice(Math.max(0, shape.start - 1 - CONTEXT_CHARS), shape.start).join(''),
    paragraph,
    traditional: isTraditionalContext(paragraph),
  };
  const headCache = new Map<number | undefined, Pick>();
  // The last character's choice depends on the head only through the characters before it.
  const lastPicks: LastPicks = { picks: new Map(), shortlists: new Map() };
  const out: Candidate[] = [];
  for (const end of shape.ends) {
    const n = end.runEnd - shape.runStart;
    let prior = 0;
    if (end.kind === 'open' && !end.atParagraphEnd) prior -= OPEN_INSIDE_PENALTY;
    const innerLost: number[] = [];
    for (let k = shape.runStart; k < end.runEnd; k++)
      if (LOST_CHARS.has(chars[k] as string)) innerLost.push(k - shape.runStart);
    prior -= INNER_LOST_PENALTY * innerLost.length;
    const after = chars.slice(end.end, end.end + CONTEXT_CHARS).join('');
    if (n === 0 && end.kind !== 'resync') {
      out.push(...loneCandidates(run, end, prior, after));
      continue;
    }
    const middle = middleCharacters(shape, end);
    // The lost character's byte is shared by every end with run characters: rank it once.
    const headKey = n > 0 ? -1 : end.trail;
    let heads = headCache.get(headKey);
    if (!heads) {
      heads = headPickOf(run, end, middle);
      headCache.set(headKey, heads);
    }
    for (const [headRank, head] of heads.kept.entries()) {
      const lasts = lastPickOf(run, end, head.text, middle, after, lastPicks);
      for (const [lastRank, last] of lasts.kept.entries()) {
        // A reading after a resync letter names the last character; after a lost `?` it already
        // narrowed the candidates.
        const readingPrior =
          end.kind !== 'resync' || end.lastReading === undefined
            ? 0
            : lastReadingConfirms(end, n === 0 ? head.text : last.text)
              ? LAST_READING_BONUS
              : -LAST_READING_MISMATCH;
        const decoded = head.text + middle + last.text;
        // A head of two (a dropped pair) puts the run's characters one place further.
        if (!foldedQuestionMarksFit([...decoded].slice([...head.text].length - 1), innerLost)) continue;
        out.push({
          end,
          decoded,
          prior: prior + readingPrior,
          pickPrior: (heads.extras[headRank] as number) + (lasts.extras[lastRank] as number),
          pageBonus: PAGE_PAIRS_WEIGHT * page.bonus(shape.previous, head.text, middle.slice(0, 1)),
          headChars: [...head.text].length,
          headRank,
          lastRank,
          headRest: heads.rest,
          lastRest: lasts.rest,
        });
      }
    }
  }
  return out;
}

/**
 * A `?` inside a run read as folded `？` (A3 BF) makes the character before it end in A3: nearly
 * always `。` (A1 A3) in prose, since the others (`模` C4 A3, `＃` A3 A3…) rarely stand before a
 * character whose lead byte is BF. Any other decoding through the `?` is garbage that reads like
 * words (`用户的牵科` for `用户的钱财`, a pair lost there), so it is not a candidate.
 */
function foldedQuestionMarksFit(decodedChars: readonly string[], innerLost: readonly number[]): boolean {
  if (innerLost.length === 0) return true;
  return innerLost.every((k) => decodedChars[k] === '。');
}

/** A lost character and the rest of a closing tag whose `<` it swallowed, ending the paragraph. */
const SWALLOWED_TAG_AT_END = /^[?\uFFFD]+[^?\uFFFD]+[?\uFFFD]\/?[a-zA-Z][a-zA-Z0-9]*>\s*$/u;

/**
 * `投訴?!?/p>`, `定???鹬厥印?/p>`: whatever the run decodes to, a paragraph that ends in a `?`
 * and the rest of its closing tag was read one byte off up to there (the seeds' shape, FAULTS.md
 * §2), from the last `?` (or run of them) before that one. No prose ends so; left as it stands, it
 * is garbage, and is listed. (An earlier `?` is a run of its own or a question mark; the last `?`
 * alone is where a run read from an earlier one ends.)
 */
function endsInSwallowedTag(chars: readonly string[], start: number): boolean {
  const tail = chars.slice(start).join('');
  return tail.length <= MAX_RUN_CHARS && SWALLOWED_TAG_AT_END.test(tail);
}

/**
 * `以??,`: two lost bytes and nothing between them (a lost character, then the lone byte of the
 * next). Prose does not put `??` inside a sentence, before a comma, a digit or a Han character
 * (`额度??3000元`: 在 was lost); at the end of a question (`真的吗??`) it may.
 */
function lostMidSentence(chars: readonly string[], shape: RunShape): boolean {
  const next = chars[shape.runStart];
  // A space a site's filter left where it deleted a word may stand between (`官?? 核实`).
  let after = shape.runStart + 1;
  while (chars[after] === ' ') after++;
  return (
    /\p{Script=Han}/u.test(shape.previous) &&
    next !== undefined &&
    LOST_CHARS.has(next) &&
    chars[after] !== undefined &&
    (/[\p{Script=Han}\d,;:，；：、]/u.test(chars[after] as string) ||
      // `急??!別慌`: a lost 啊！ (its bytes read off by one), not an emphatic question.
      (/[!！]/u.test(chars[after] as string) && /\p{Script=Han}/u.test(chars[after + 1] ?? '')))
  );
}

/**
 * `申請?J款`, `自己?或_,`: a `?`, at most one character and a resync letter after a Han character.
 * Prose does not write a question mark and a lone Latin letter inside a sentence; the model may
 * find no sure reading (the lost character's lead byte is anyone's), but the run is garbage.
 */
function letterBetweenHan(chars: readonly string[], shape: RunShape, end: RunEnd): boolean {
  const after = chars[end.end];
  return (
    end.kind === 'resync' &&
    end.runEnd - shape.runStart <= 1 &&
    /\p{Script=Han}/u.test(shape.previous) &&
    // …before Chinese, punctuation (`自己?或_,`) or the paragraph's end.
    (after === undefined || /[\p{Script=Han}\p{P}]/u.test(after))
  );
}

/** What a decoder prints for a character it lost. */
export const LOST_CHARS: ReadonlySet<string> = new Set(['?', '\uFFFD']);
const CLOSING = /^[\p{Pe}\p{Pf}"']$/u;
/** What prose does not hold but GBK pairs read off by one often are: pinyin letters (`ā` A8 A1),
 * kana, symbols. A run holding one that some decoding reads better is garbage (`综合?蓝ā`). */
const NOT_PROSE_CHAR = /[^\p{Script=Han}\p{P}\p{Zs}A-Za-z0-9]/u;
const HAN = /\p{Script=Han}/u;

/**
 * Rare characters the model leaves standing alone in `text`, read between `before` and `after` so
 * that a word the run's end cuts (`詐|騙`) is still a word (see `RARE_SINGLE_LOGP`).
 */
function rareSinglesIn(before: string, text: string, after: string, lm: LanguageModel): number {
  let count = 0;
  let at = 0;
  const from = before.length;
  const to = from + text.length;
  for (const word of lm.segment(before + text + after)) {
    if (at >= from && at < to && word.length === 1 && HAN.test(word) && lm.charLogP(word) < RARE_SINGLE_LOGP)
      count++;
    at += word.length;
  }
  return count;
}

/** What the model makes of one possible run: the explanation behind a repair or a listed run. */
export interface RunReading {
  /** Index (in code points) of the `?` the run starts at, and just past what it reaches. */
  start: number;
  end: number;
  /** The run reads as garbage (or carries a reading after its `?`): it must not go unlisted. */
  garbled: boolean;
  /** The run went on, garbled, past a `?` where its decoding ended (`readChain`): one stretch. */
  chained?: true;
  /** The best decoding, when it reads better than the text as it stands. */
  best?: {
    end: number;
    text: string;
    confidence: number;
    /** The `?` the decoding ends at, when it is inside the paragraph (see `readChain`). */
    lostAt?: number;
  };
}

function readRun(
  chars: readonly string[],
  shape: RunShape,
  lm: LanguageModel,
  page: PageVocabulary,
): RunReading {
  const candidates = candidatesOf(chars, shape, lm, page);
  const farthest = Math.max(shape.start + 1, ...shape.ends.map((e) => e.end), shape.brokenAt ?? 0);
  const windowStart = Math.max(0, shape.start - 1 - CONTEXT_CHARS);
  const windowEnd = Math.min(chars.length, farthest + CONTEXT_CHARS);
  const prefix = chars.slice(windowStart, shape.start).join('');
  // A bare `?` after a Chinese character is, more often than not, a question mark (pages fold
  // `？` to ASCII); one with a reading after it never is.
  const asItStands = scoreInContext(lm, chars.slice(windowStart, windowEnd).join(''));
  const question = shape.reading === undefined && asksQuestion(chars, shape.start);
  const identity =
    asItStands +
    (shape.reading === undefined ? QUESTION_MARK_PRIOR : 0) +
    (question ? QUESTION_WORD_PRIOR : 0);
  const rareSingles = candidates.map((c) =>
    rareSinglesIn(
      chars.slice(Math.max(0, shape.start - 4), shape.start).join(''),
      c.decoded,
      chars.slice(c.end.end, c.end.end + 4).join(''),
      lm,
    ),
  );
  const scores = candidates.map(
    (c, k) =>
      scoreInContext(lm, prefix + c.decoded + chars.slice(c.end.end, windowEnd).join('')) +
      c.prior +
      (c.pageBonus ?? 0) +
      (c.pickPrior ?? 0) -
      RARE_SINGLE_PENALTY * (rareSingles[k] as number),
  );
  let best = -1;
  for (let k = 0; k < candidates.length; k++)
    if (best < 0 || (scores[k] as number) > (scores[best] as number)) best = k;

  // How far the run reaches as it stands: to the best decoding's end, or as far as bytes allow.
  const chosen = candidates[best];
  const end =
    chosen?.end.end ?? Math.max(shape.runStart, shape.brokenAt ?? 0, ...shape.ends.map((e) => e.end));
  // Judge at least a window's worth: a few characters alone score low however clean they are
  // (`呢?网上的借贷平台` is a question mark, `钱?加微信秒批,` an advertisement).
  const runText = chars
    .slice(shape.runStart, Math.max(chosen ? chosen.end.runEnd : end, shape.runStart + CONTEXT_CHARS))
    .join('');
  // A reading after the `?` is never prose, nor is a run that some decoding reads much better
  // than it stands: the run is garbled whatever its own characters score. What tells decodings
  // apart (the page's pairs, the picks' priors) says nothing of that.
  const gain =
    Math.max(...candidates.map((c, k) => (scores[k] as number) - (c.pageBonus ?? 0) - (c.pickPrior ?? 0))) -
    asItStands;
  const garbled =
    endsInSwallowedTag(chars, shape.start) ||
    (question
      ? gain >= GARBLED_GAIN + QUESTION_WORD_PRIOR
      : shape.reading !== undefined ||
        gain >= GARBLED_GAIN ||
        // A `?` before a closing bracket (`嘛?】花呗逾期`) reads as a question mark: only a decoding
        // that reads better says it is not, and then the text as it stands is not the judge.
        (runText.length > 0 &&
          !(shape.reading === undefined && CLOSING.test(chars[shape.runStart] ?? '')) &&
          lm.scorePerChar(runText) < GARBLED_MEAN_LOGP) ||
        lostMidSentence(chars, shape) ||
        (gain > 0 && NOT_PROSE_CHAR.test(runText)) ||
        (chosen !== undefined && letterBetweenHan(chars, shape, chosen.end)));
  const reading: RunReading = { start: shape.start, end, garbled };
  if (chosen && (scores[best] as number) > identity && (rareSingles[best] as number) < MAX_RARE_SINGLES) {
    // Pairs the page lost inside the run (`dropped-pairs.ts`): put back where the model is sure.
    // Only a decoding that would be published is worth the search.
    const n = chosen.end.runEnd - shape.runStart;
    const confidence = cutBeforeItsEnd(chars, chosen, n)
      ? 0
      : shareWithUnseen(identity, candidates, scores, best);
    // The pairs of the run start at its last first character (after a dropped pair's first).
    const decodedChars = [...chosen.decoded];
    const putBack = decodedChars.slice(0, (chosen.headChars ?? 1) - 1).join('');
    const restored =
      confidence < MIN_RUN_CONFIDENCE
        ? { text: chosen.decoded, confidence: 1, restored: 0 }
        : restoreDroppedPairs(
            decodedChars.slice(putBack.length > 0 ? 1 : 0).join(''),
            shape.pairs.slice(0, n),
            prefix + putBack,
            chars.slice(chosen.end.end, chosen.end.end + CONTEXT_CHARS).join(''),
            lm,
          );
    reading.best = {
      end: chosen.end.end,
      text: confidence < MIN_RUN_CONFIDENCE ? restored.text : putBack + restored.text,
      confidence: confidence * restored.confidence,
      ...(chosen.end.kind === 'lost' && !chosen.end.atParagraphEnd ? { lostAt: chosen.end.runEnd } : {}),
    };
  }
  return reading;
}

/** How a sentence of prose ends. */
const SENTENCE_END = /[。！？…”」』）.!?)]$/u;
/** A paragraph this long, with a sentence inside, is prose: it ends as a sentence does. */
const PROSE_CHARS = 12;
const SENTENCE_INSIDE = /[。！？，；,;!]/u;

/**
 * A decoding that reaches the end of a prose paragraph but does not end as a sentence does: the
 * run's last pairs were lost with the paragraph's final mark (`本都是诈骗` for `本都是诈骗。`), and the
 * decoding, however well it reads, is missing what it lost.
 */
function cutBeforeItsEnd(chars: readonly string[], chosen: Candidate, n: number): boolean {
  // `并?幌嗤??`: the decoding ends at a `?` and another lost character follows it.
  if (chosen.end.kind === 'lost' && LOST_CHARS.has(chars[chosen.end.end] ?? '')) return true;
  // `得?mào)坏郊r(shí)`: the reading after the resync letter names another character than the
  // decoding ends on (紃, not 時): the run lost bytes on the way.
  const { end } = chosen;
  if (
    end.kind === 'resync' &&
    end.lastReading !== undefined &&
    n > 0 &&
    !lastReadingConfirms(end, [...chosen.decoded].at(-1) ?? '')
  )
    return true;
  if (!chosen.end.atParagraphEnd || SENTENCE_END.test(chosen.decoded)) return false;
  return chars.length >= PROSE_CHARS && SENTENCE_INSIDE.test(chars.join('') + chosen.decoded);
}

/**
 * The best decoding's share of the probability among the text as it stands, every decoding read in
 * full, and the characters never read in full (`restOf`): those of the best decoding's end, each
 * as if it read as well as the last one compared.
 */
function shareWithUnseen(
  identity: number,
  candidates: readonly Candidate[],
  scores: readonly number[],
  best: number,
): number {
  const chosen = candidates[best] as Candidate;
  let headsAt = -1;
  let lastsAt = -1;
  candidates.forEach((c, k) => {
    if (c.end !== chosen.end) return;
    if (c.lastRank === 0 && (headsAt < 0 || c.headRank > (candidates[headsAt] as Candidate).headRank))
      headsAt = k;
    if (
      c.headRank === chosen.headRank &&
      (lastsAt < 0 || c.lastRank > (candidates[lastsAt] as Candidate).lastRank)
    )
      lastsAt = k;
  });
  const unseen = [
    headsAt < 0 ? Number.NEGATIVE_INFINITY : (scores[headsAt] as number) + chosen.headRest,
    lastsAt < 0 ? Number.NEGATIVE_INFINITY : (scores[lastsAt] as number) + chosen.lastRest,
  ];
  const probabilities = softmax([identity, ...scores, ...unseen].map((s) => s / TEMPERATURE));
  return probabilities[best + 1] as number;
}

/**
 * A `?` where a decoding ends may instead be a pair the decoder could not map (its bytes gone),
 * the run going on shifted after it. Then the text after the `?` reads as another garbled run, and
 * the decoding is wrong: the whole stretch, as far as the garbage goes, is one unresolved run.
 */
function readChain(
  chars: readonly string[],
  first: RunReading,
  lm: LanguageModel,
  page: PageVocabulary,
  budget: { reads: number },
): RunReading {
  // Only a run that would be repaired or listed needs its continuation read.
  if (!first.garbled && (first.best?.confidence ?? 0) < MIN_RUN_CONFIDENCE) return first;
  let lostAt = first.best?.lostAt;
  let decoded = first.best?.text;
  let chain: RunReading | undefined;
  for (let links = 0; lostAt !== undefined && links < MAX_STARTS_PER_PARAGRAPH && budget.reads > 0; links++) {
    // The character before the `?` may be a reading's `)`: the decoded last character stands there.
    const next =
      runStartAt(chars, lostAt) ??
      runStartAt(
        [...chars.slice(0, lostAt - 1), [...(decoded ?? '')].at(-1) ?? '', ...chars.slice(lostAt)],
        lostAt,
      );
    if (!next) break;
    budget.reads--;
    const continuation = readRun(chars, runShape(chars, next), lm, page);
    if (!continuation.garbled) break;
    chain = {
      start: first.start,
      end: Math.max(continuation.end, continuation.best?.end ?? 0),
      garbled: true,
      chained: true,
    };
    lostAt = continuation.best?.lostAt;
    decoded = continuation.best?.text;
  }
  return chain ?? first;
}

/**
 * Every possible run of a paragraph as the model reads it, left to right (a run's reach is
 * skipped). For the repair below and for measuring calibration.
 */
export function readRuns(
  text: string,
  lm: LanguageModel,
  page: PageVocabulary = EMPTY_VOCABULARY,
): RunReading[] {
  const readings: RunReading[] = [];
  if (!text.includes('?') && !text.includes('\uFFFD')) return readings;
  const chars = [...text];
  const budget = { reads: MAX_READS_PER_PARAGRAPH };
  for (let i = 0; i < chars.length && readings.length < MAX_STARTS_PER_PARAGRAPH && budget.reads > 0; i++) {
    const start = runStartAt(chars, i);
    if (!start) continue;
    budget.reads--;
    const reading = readChain(chars, readRun(chars, runShape(chars, start), lm, page), lm, page, budget);
    readings.push(reading);
    // After a sure repair, read on past it. A run left open may hold other starts (a `?` with a
    // reading inside what it reaches, `?měi)ǖ馁~單日?zhàn)瓦€`): read on from the next character.
    // A chain is listed as one stretch: its own starts were read as its links.
    if (reading.best && reading.best.confidence >= MIN_RUN_CONFIDENCE) i = Math.max(i, reading.best.end - 1);
    else if ((reading.best && !reading.garbled) || reading.chained) i = Math.max(i, reading.end - 1);
  }
  return readings;
}

/**
 * Finds and repairs every shifted GBK run in one paragraph; runs the model is not sure of are kept
 * as they are and listed in `unresolved`.
 *
 * @example
 * repairShiftedRuns('咱們?cè)诩毙栌缅X(qián)的時候', languageModel()).text // → '咱們在急需用錢的時候'
 * repairShiftedRuns('應當?shù)玫匠浞直U稀?/p>', languageModel()).text // → '應當得到充分保障。'
 */
export function repairShiftedRuns(
  text: string,
  lm: LanguageModel,
  page: PageVocabulary = EMPTY_VOCABULARY,
): ShiftedRunsOutput {
  const readings = readRuns(text, lm, page);
  if (readings.length === 0) return { text, repairs: [], unresolved: [] };
  const chars = [...text];
  const repairs: TextRepair[] = [];
  const unresolved: UnresolvedSpan[] = [];
  let out = '';
  let at = 0;
  let outLength = 0; // in code points, as `unresolved` counts
  const emit = (text: string) => {
    out += text;
    outLength += [...text].length;
  };
  for (const reading of readings) {
    const sure = reading.best && reading.best.confidence >= MIN_RUN_CONFIDENCE ? reading.best : undefined;
    if (!sure && !reading.garbled) continue;
    const open = unresolved.at(-1);
    if (reading.start < at) {
      // A start inside a run left open: the open run reaches as far as this one does.
      const end = Math.max(at, sure ? sure.end : reading.end);
      if (open && open.end === outLength) {
        emit(chars.slice(at, end).join(''));
        open.end = outLength;
        at = end;
      }
      continue;
    }
    emit(chars.slice(at, reading.start).join(''));
    const end = sure ? sure.end : reading.end;
    const garbled = chars.slice(reading.start, end).join('');
    if (sure) {
      const previous = chars[reading.start - 1] as string;
      repairs.push({
        kind: 'mojibake',
        before: previous + garbled,
        after: previous + sure.text,
        confidence: roundConfidence(sure.confidence),
      });
      emit(sure.text);
    } else {
      const start = outLength;
      emit(garbled);
      unresolved.push({ kind: 'unrepaired-mojibake', start, end: outLength });
    }
    at = end;
  }
  const repaired = out + chars.slice(at).join('');
  return { text: repaired, repairs, unresolved: mergeGarbledGaps(repaired, unresolved, lm) };
}

const SPACE_CHARS = new Set([' ', '\t', '\u3000']);

/** Listed runs this close together, with garbage between, are one stretch of garbage. */
const MAX_GARBLED_GAP = 16;

/**
 * A run that lost pairs inside it breaks into pieces (each `?` a new start); what lies between two
 * listed pieces is garbage too, when it is short and reads as garbage: it is listed with them, so
 * that no later stage touches it and no garbage is published unlisted.
 */
function mergeGarbledGaps(text: string, spans: UnresolvedSpan[], lm: LanguageModel): UnresolvedSpan[] {
  if (spans.length === 0) return spans;
  const chars = [...text];
  const garbled = (from: number, to: number) => {
    const gap = chars.slice(from, to);
    return (
      gap.length <= MAX_GARBLED_GAP &&
      (gap.length === 0 ||
        gap.some((c) => LOST_CHARS.has(c)) ||
        lm.scorePerChar(gap.join('')) < GARBLED_MEAN_LOGP + 1)
    );
  };
  // A listed run takes the lone bytes right after it (`糯???,`): they are its lost bytes.
  for (const span of spans) {
    while (span.end < chars.length && LOST_CHARS.has(chars[span.end] as string)) span.end++;
    // …and what is left of the closing tag the last lone byte swallowed the `<` of (`??/p>`).
    const residue = /^\/?[a-zA-Z][a-zA-Z0-9]*>/.exec(chars.slice(span.end, span.end + 12).join(''));
    if (residue && LOST_CHARS.has(chars[span.end - 1] as string)) span.end += residue[0].length;
    // …and the spaces between it and the Chinese after it (`淦教? 拨打`): a filter's gap or the
    // page's layout, nothing can tell while the run is garbage, so no stage may close them.
    let after = span.end;
    while (after < chars.length && SPACE_CHARS.has(chars[after] as string)) after++;
    if (after > span.end && HAN.test(chars[after] ?? '')) span.end = after;
  }
  const merged: UnresolvedSpan[] = [{ ...(spans[0] as UnresolvedSpan) }];
  for (const span of spans.slice(1)) {
    const last = merged.at(-1) as UnresolvedSpan;
    if (span.kind === last.kind && garbled(last.end, span.start)) last.end = span.end;
    else merged.push({ ...span });
  }
  // What a broken run leaves before the paragraph's end (`つ拷璐??`) belongs to it.
  const last = merged.at(-1) as UnresolvedSpan;
  if (last.end < chars.length && garbled(last.end, chars.length)) last.end = chars.length;
  return merged;
}
