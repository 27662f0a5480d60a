/**
 * Repair of shifted GBK runs (FAULTS.md §2, §8, §9): candidates from `shifted-gbk.ts`, the choice
 * by the language model, and what is left alone.
 *
 * For every `?` after a character GBK encodes in two bytes, each way the run can end is decoded
 * (the lost first character pinned by its reading or picked by the model, the unknown last byte
 * picked by the model) and every decoding, together with the text as it stands, is scored over the
 * same window: the text before the run, the run, and the text after the farthest end. A wrong end
 * leaves garbage in the window or garbles clean text, so the window's score tells the ends apart.
 * The choice's confidence is its share of the probability (tempered, see `TEMPERATURE`) times the
 * certainty of the two picked characters. A decoding sure enough replaces the run; a run that reads
 * as garbage and is not repaired with confidence is reported as unresolved, with its place; a `?`
 * before text that reads well is an ordinary question mark and is left alone.
 */
import type { LanguageModel } from '../language-model.js';
import { roundConfidence, softmax } from '../probability.js';
import type { TextRepair, UnresolvedSpan } from '../types.js';
import { scoreInContext } from './context-score.js';
import { restoreDroppedPairs } from './dropped-pairs.js';
import { EMPTY_VOCABULARY, type PageVocabulary } from './page-vocabulary.js';
import { charPrior, closesOpener, isTraditionalContext } from './priors.js';
import {
  firstCharacters,
  lastCharacters,
  lastReadingConfirms,
  loneCharacters,
  middleCharacters,
  type RunEnd,
  type RunShape,
  runShape,
  runStartAt,
} from './shifted-gbk.js';

/** A repair at or above this confidence replaces the run; below, the run is kept and reported. */
export const MIN_RUN_CONFIDENCE = 0.9;
/**
 * Language-model log-scores are divided by this before they become probabilities. Calibration on
 * generated runs (`npm run eval:mojibake`, seeds 5000, 7000, 9000) sets it: with the bigram model
 * in the score, at 1 every repair at confidence ≥ 0.9 was right and many right choices stayed
 * below; at 0.95 still all right and no garbled paragraph silent; at 0.9 and below wrong repairs
 * appeared, at 0.9–0.95 and on the pages with other faults around the runs.
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

/** Whether the clause just before `chars[at]` asks a question. */
function asksQuestion(chars: readonly string[], at: number): boolean {
  let from = at;
  while (from > 0 && at - from < CLAUSE_REACH && !CLAUSE_BREAK.test(chars[from - 1] as string)) from--;
  return INTERROGATIVE.test(chars.slice(from, at).join(''));
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

/** Candidates scored in full context; the rest are ranked out by their closest neighbours. */
const SHORTLIST = 16;
/** Candidates kept by frequency alone before any context is read. */
const PREFILTER = 40;

/** A character's own log-probability (the model keeps them once looked up). */
function charLogPOf(lm: LanguageModel, char: string): number {
  return lm.charLogP(char);
}

/** The candidate lists are the characters of one lead or trail byte: a few hundred lists, sorted
 * once each. Keyed by the list's length and ends, which tell them apart. */
const frequencyOrders = new Map<string, string[]>();

/** `options` commonest first (the character's own frequency). */
function byFrequency(options: string[], lm: LanguageModel): string[] {
  const key = `${options.length}:${options[0]}:${options.at(-1)}:${options[options.length >> 1]}`;
  let sorted = frequencyOrders.get(key);
  if (!sorted) {
    sorted = [...options].sort((a, b) => charLogPOf(lm, b) - charLogPOf(lm, a));
    frequencyOrders.set(key, sorted);
  }
  return sorted;
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
  let best = charLogPOf(lm, char);
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

/**
 * `options` ranked by `full` (the model over a window), after a first ranking by `near` (the model
 * over the closest characters) keeps the likeliest `SHORTLIST`: a hundred candidate characters cost
 * a hundred short scores and sixteen long ones. The probabilities are the full scores' share within
 * the shortlist times the shortlist's share under the near scores, so that pruning never makes a
 * choice look surer than it is.
 */
function rankShortlisted(
  lm: LanguageModel,
  options: string[],
  near: (option: string) => number,
  full: (option: string) => number,
  size = SHORTLIST,
): Choice[] {
  if (options.length <= size) return rank(options, options.map(full));
  // A hundred and ninety characters share a lead byte: the commonest forty are looked at.
  if (options.length > PREFILTER) options = byFrequency(options, lm).slice(0, PREFILTER);
  const nearScores = options.map(near);
  const order = options
    .map((_, k) => k)
    .sort((a, b) => (nearScores[b] as number) - (nearScores[a] as number));
  const kept = order.slice(0, size);
  const nearShares = softmax(nearScores.map((x) => x / TEMPERATURE));
  const keptShare = kept.reduce((sum, k) => sum + (nearShares[k] as number), 0);
  const keptOptions = kept.map((k) => options[k] as string);
  return rank(keptOptions, keptOptions.map(full)).map((c) => ({
    ...c,
    probability: c.probability * keptShare,
  }));
}

/** First characters carried into the window comparison, best by their close context first. */
const HEADS_COMPARED = 3;

interface Candidate {
  end: RunEnd;
  /** What replaces `chars[start, end.end)`. */
  decoded: string;
  /** Certainty of what was picked before the window comparison: the last character, and the
   * share of the first characters left out of it. */
  pickConfidence: number;
  prior: number;
  /** What the page's pairs add (`page-vocabulary.ts`): evidence for one candidate over another,
   * not that the run is garbage, so it does not count towards `GARBLED_GAIN`. */
  pageBonus?: number;
}

/**
 * Decodings of the run: for each possible end, with each of the likeliest first characters (its
 * close context decides), and the likeliest last character where the byte is unknown. Ends whose
 * bytes do not decode are dropped.
 */
function candidatesOf(
  chars: readonly string[],
  shape: RunShape,
  lm: LanguageModel,
  page: PageVocabulary,
): Candidate[] {
  const before = chars.slice(Math.max(0, shape.start - 1 - CONTEXT_CHARS), shape.start).join('');
  const paragraph = chars.join('');
  const traditional = isTraditionalContext(paragraph);
  const headCache = new Map<number | undefined, { heads: Choice[]; share: number }>();
  const headBonus = new Map<string, number>();
  // The last character's choice depends on the head only through the characters before it.
  const lastCache = new Map<string, Choice>();
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
      // One real character, both its bytes in doubt: only where a reading narrows it.
      const lone = loneCharacters(shape, end);
      if (lone.length === 0) continue;
      const loneExtra = (c: string) =>
        charPrior(c, { before, context: paragraph, traditional, atEnd: end.atParagraphEnd }) +
        page.bonus(shape.previous, c, after.slice(0, 1));
      const ranked = rankShortlisted(
        lm,
        lone,
        (c) => nearScore(lm, before, c, after) + loneExtra(c),
        (c) => scoreInContext(lm, before + c + after) + loneExtra(c),
      );
      const best = ranked[0] as Choice;
      out.push({ end, decoded: best.text, pickConfidence: best.probability, prior });
      continue;
    }
    const middle = middleCharacters(shape, end);
    // The lost character's byte is shared by every end with run characters: rank it once.
    const headKey = n > 0 ? -1 : end.trail;
    if (!headCache.has(headKey)) {
      const heads = firstCharacters(shape, end);
      const next = middle.slice(0, CONTEXT_CHARS);
      const headExtra = (h: string) =>
        charPrior(h, { before, context: paragraph, traditional, atEnd: false }) +
        page.bonus(shape.previous, h, next.slice(0, 1));
      const ranked = rankShortlisted(
        lm,
        heads,
        (h) => nearScore(lm, before, h, next) + headExtra(h),
        (h) =>
          scoreInContext(lm, before.slice(-PICK_CONTEXT_CHARS) + h + next.slice(0, PICK_CONTEXT_CHARS)) +
          headExtra(h),
      ).slice(0, HEADS_COMPARED);
      headCache.set(headKey, { heads: ranked, share: ranked.reduce((sum, h) => sum + h.probability, 0) });
      // The page's pairs count in the window comparison too, or the model's word there undoes them.
      for (const h of ranked) headBonus.set(h.text, page.bonus(shape.previous, h.text, next.slice(0, 1)));
    }
    const { heads, share } = headCache.get(headKey) as { heads: Choice[]; share: number };
    if (heads.length === 0) continue;
    const lasts = lastCharacters(shape, end);
    if (lasts.length === 0) continue;
    for (const head of heads) {
      let last: Choice;
      if (lasts.length === 1) last = { text: lasts[0] as string, probability: 1 };
      else {
        const table = QUESTION_PARTICLES.test(middle) ? AFTER_QUESTION_PRIOR : END_OF_PARAGRAPH_PRIOR;
        const tail = (head.text + middle).slice(-CONTEXT_CHARS);
        const key = `${tail}|${end.end}`;
        let cached = lastCache.get(key);
        if (!cached) {
          const lastExtra = (z: string) =>
            (end.atParagraphEnd
              ? Math.log(table[z] ?? OTHER_END_PRIOR) +
                (closesOpener(z, before + head.text + middle) ? OPEN_CLOSER_BONUS : 0)
              : charPrior(z, {
                  before: before + head.text + middle,
                  context: paragraph,
                  traditional,
                  atEnd: false,
                })) + page.bonus(tail.slice(-1), z, after.slice(0, 1));
          cached = rankShortlisted(
            lm,
            lasts,
            (z) => nearScore(lm, tail, z, after) + lastExtra(z),
            (z) =>
              scoreInContext(lm, tail.slice(-PICK_CONTEXT_CHARS) + z + after.slice(0, PICK_CONTEXT_CHARS)) +
              lastExtra(z),
            LAST_SHORTLIST,
          )[0] as Choice;
          lastCache.set(key, cached);
        }
        last = cached;
      }
      // A reading after a resync letter names the last character; after a lost `?` it already
      // narrowed the candidates.
      const readingPrior =
        end.kind !== 'resync' || end.lastReading === undefined
          ? 0
          : lastReadingConfirms(end, n === 0 ? head.text : last.text)
            ? LAST_READING_BONUS
            : -LAST_READING_MISMATCH;
      const decoded = head.text + middle + last.text;
      if (!foldedQuestionMarksFit(decoded, innerLost)) continue;
      out.push({
        end,
        decoded,
        pickConfidence: share * last.probability,
        prior: prior + readingPrior,
        pageBonus: headBonus.get(head.text) ?? 0,
      });
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
function foldedQuestionMarksFit(decoded: string, innerLost: readonly number[]): boolean {
  if (innerLost.length === 0) return true;
  const decodedChars = [...decoded];
  return innerLost.every((k) => decodedChars[k] === '。');
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

const LOST_CHARS = new Set(['?', '\uFFFD']);
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
      (c.pageBonus ?? 0) -
      RARE_SINGLE_PENALTY * (rareSingles[k] as number),
  );
  const probabilities = softmax([identity, ...scores].map((s) => s / TEMPERATURE));
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
  // than it stands: the run is garbled whatever its own characters score.
  const gain = chosen
    ? (scores[best] as number) - (chosen.pageBonus ?? 0) - asItStands
    : Number.NEGATIVE_INFINITY;
  const garbled = question
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
      (chosen !== undefined && letterBetweenHan(chars, shape, chosen.end));
  const reading: RunReading = { start: shape.start, end, garbled };
  if (chosen && (scores[best] as number) > identity && (rareSingles[best] as number) < MAX_RARE_SINGLES) {
    // Pairs the page lost inside the run (`dropped-pairs.ts`): put back where the model is sure.
    // Only a decoding that would be published is worth the search.
    const n = chosen.end.runEnd - shape.runStart;
    const confidence = (probabilities[best + 1] as number) * chosen.pickConfidence;
    const restored =
      confidence < MIN_RUN_CONFIDENCE
        ? { text: chosen.decoded, confidence: 1, restored: 0 }
        : restoreDroppedPairs(
            chosen.decoded,
            shape.pairs.slice(0, n),
            prefix,
            chars.slice(chosen.end.end, chosen.end.end + CONTEXT_CHARS).join(''),
            lm,
          );
    reading.best = {
      end: chosen.end.end,
      text: restored.text,
      confidence: confidence * restored.confidence,
      ...(chosen.end.kind === 'lost' && !chosen.end.atParagraphEnd ? { lostAt: chosen.end.runEnd } : {}),
    };
  }
  return reading;
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
