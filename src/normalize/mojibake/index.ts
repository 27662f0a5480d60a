/**
 * The mojibake engine (FAULTS.md §2, §7, §8, §9): one place that finds text decoded wrongly,
 * generates the byte-level readings that undo it, lets the language model choose, and explains
 * what it did. Structured like ftfy: detection (`badness.ts`), candidates (`misdecodings.ts` for
 * whole texts read with the wrong charset, `shifted-gbk.ts` for runs a GBK decoder read one byte
 * off), choice (`shifted-runs.ts` and `chooseMisdecoding` below; where a lost character or byte
 * must be picked, `context-score.ts` weighs it in its context), and the repairs as explanation.
 *
 * What it is not sure of it leaves exactly as it is and lists (`unresolved`), so no later stage
 * touches garbage and no garbage is published without its place.
 */
import { removeControlResidue } from '../control-chars.js';
import { type LanguageModel, languageModel } from '../language-model.js';
import { confidenceFromMargin, roundConfidence } from '../probability.js';
import type { StageOutput, TextRepair, UnresolvedSpan } from '../types.js';
import { looksMisdecoded, scoreText } from './badness.js';
import { SURE_DROPPED_BYTE } from './dropped-bytes.js';
import {
  gbkPunctuationReadAsLatin1,
  MISDECODINGS,
  type Misdecoding,
  mostlyUtf8ReadAsGbk,
  plausibleMisreading,
  shares,
  undo,
  utf8ShareReadAsGbk,
} from './misdecodings.js';
import { EMPTY_VOCABULARY, type PageVocabulary } from './page-vocabulary.js';
import { asksQuestion, clauseBefore, LOST_CHARS, repairShiftedRuns } from './shifted-runs.js';
import { repairUtf8Stretches } from './utf8-segments.js';

export { MIN_RUN_CONFIDENCE, repairShiftedRuns } from './shifted-runs.js';

/** A re-decoding must beat the text by this many nats per character. Clean text never gained more
 * than 1.3 under any hypothesis (the seed pages and OpenCC's test cases, cut into clauses too). */
const MIN_GAIN_PER_CHAR = 2;
/** …and read like Chinese in its own right: the worst clean clause of that corpus scores -13.7, a
 * name-heavy repair (`作者｜赵健`) -10; lost lead bytes re-decoded into rare Han (`V變叩葘茖W(xu)校`)
 * -13.9. Between the two the line is listed, not re-decoded. */
const MIN_REPAIRED_LOGP = -12.5;
/** A page's worth of text is steadier: real pages' text scores -5 (the median) and above -7 all
 * but a few; a page of lost lead bytes re-decoded into rare Han (`V變叩葘茖W(xu)校`) scores -12.5. */
const MIN_REPAIRED_PAGE_LOGP = -10;
/** Below this a put-back byte is not used, and its line is listed: 9 in 10 right guesses score
 * above, 3 in 4 wrong ones below. */
const SURE_LOST_BYTE = 0.8;

/** The confidence a re-decoding needs to be used: what its lost bytes were allows. */
function sureEnough(undone: { confidence: number; dropped?: true }): boolean {
  return undone.confidence >= (undone.dropped ? SURE_DROPPED_BYTE : SURE_LOST_BYTE);
}
/** GBK punctuation pairs read as Latin-1 between Latin words: the pairs are certain, the rest ASCII. */
const PUNCTUATION_PAIRS_CONFIDENCE = 0.99;

/** Han that reads as words: clean text scores -5 to -7 a character; GBK bytes that happen to be
 * UTF-8 make characters with no word between them (-12 and below). A single character counts where
 * it is that common (`的ç¾Ž`: 的 is no accident of GBK bytes). */
const HAN_WORDS_LOGP = -9;
const HAN_RUN = /\p{Script=Han}+/gu;

/**
 * Whether the Han characters of `text` already read as Chinese. A reader that took what was valid
 * UTF-8 as UTF-8 and the rest as Windows-1252 leaves Han only where GBK bytes happened to be UTF-8:
 * `ç¾Žç¾Ž逾期法务` is 美美 read as Windows-1252 beside real words, not a GBK line, and re-decoding it
 * whole as one makes garbage (`缇庣編閫炬湡娉曞姟`).
 */
function hanReadsAsWords(text: string, lm: LanguageModel): boolean {
  for (const [run] of text.matchAll(HAN_RUN)) if (lm.scorePerChar(run) >= HAN_WORDS_LOGP) return true;
  return false;
}

interface Redecoding {
  name: string;
  text: string;
  gain: number;
  confidence: number;
  dropped?: true;
}

/** The wrong decoding that best explains `text`, if one explains it clearly. */
function chooseMisdecoding(text: string, lm: LanguageModel): Redecoding | undefined {
  if (!looksMisdecoded(text, lm)) return undefined;
  const before = scoreText(text, lm).mean;
  let best: Redecoding | undefined;
  for (const m of MISDECODINGS) {
    const fixed = undo(text, m, lm);
    if (!fixed || fixed.text === text || !plausibleMisreading(text, fixed.text, m)) continue;
    if (m.name === 'gbk→utf-8/windows-1252' && hanReadsAsWords(text, lm)) continue;
    const after = scoreText(fixed.text, lm).mean;
    const gain = after - before;
    if (after >= MIN_REPAIRED_LOGP && gain >= MIN_GAIN_PER_CHAR && (!best || gain > best.gain))
      best = { name: m.name, ...fixed, gain };
  }
  return best;
}

/**
 * Undo a wrong decoding of a whole paragraph: UTF-8 read as GBK, Big5 or Windows-1252, GBK or Big5
 * read as Windows-1252, GBK read as Big5 and back. A re-decoding is kept only when the text is
 * exactly what the wrong decoder makes of some bytes, those bytes are valid in the right charset,
 * and the result reads better by `MIN_GAIN_PER_CHAR` nats per character. A U+FFFD where the wrong
 * decoder dropped a byte of UTF-8 is filled in by the model (and lowers the confidence). Clean text
 * is never changed and costs one table look-up per non-ASCII character.
 *
 * @example
 * repairMisdecodedText('鍩洪噾瀹氭姇') // UTF-8 read as GBK
 * // → { text: '基金定投',
 * //     repairs: [{ kind: 'charset', before: '鍩洪噾瀹氭姇', after: '基金定投', confidence: 1 }], flags: [] }
 * repairMisdecodedText('骞村埄鐜囦负3.5%銆\uFFFD') // the last byte of 。 was lost: put back, less sure
 * // → text '年利率为3.5%。', confidence 0.88
 * repairMisdecodedText('å¹´åˆ©çŽ‡') // UTF-8 read as Windows-1252 → text '年利率'
 * repairMisdecodedText('ÊµÆÚ¼ä') // GBK read as Windows-1252 → text '实期间'
 * repairMisdecodedText('年利率') // → { text: '年利率', repairs: [], flags: [] }
 */
export function repairMisdecodedText(text: string, lm: LanguageModel = languageModel()): StageOutput {
  // Punctuation pairs in Latin text: no model needed, and none could judge the English around them.
  const punctuation = gbkPunctuationReadAsLatin1(text);
  if (punctuation)
    return {
      text: punctuation,
      repairs: [
        { kind: 'charset', before: text, after: punctuation, confidence: PUNCTUATION_PAIRS_CONFIDENCE },
      ],
      flags: [],
    };
  const best = chooseMisdecoding(text, lm);
  if (!best) return { text, repairs: [], flags: [] };
  // The rest of the paragraph is certain; a lost byte the model cannot place surely is a guess
  // (`3有30日` for 3月30日 at 0.79), and the paragraph stays as it came (listed) rather than carry one.
  if (!sureEnough(best)) return listedWhole(text);
  const confidence = Math.min(
    Math.round(best.confidence * 100) / 100,
    confidenceFromMargin(best.gain - MIN_GAIN_PER_CHAR / 2),
  );
  return {
    text: best.text,
    repairs: [{ kind: 'charset', before: text, after: best.text, confidence }],
    flags: [],
  };
}

/** Latin letters and symbols a line must hold, and their least share, to read as Chinese bytes
 * shown as Latin-1 (`¡¡¡¡ÊµÆÚ¼ä£¬ÎÒÖ÷ÒªÊÇ`): prose in a Latin script has a few accents, not this. */
const MIN_LATIN_MOJIBAKE_CHARS = 6;
const MIN_LATIN_MOJIBAKE_SHARE = 0.5;

/**
 * A line of Chinese bytes read as Latin-1 that no hypothesis undoes exactly (a byte lost, a
 * character changed on the way): listed whole rather than published as it stands unflagged, as is
 * UTF-8 read as GBK that lost bytes (`mostlyUtf8ReadAsGbk`).
 */
function readsAsLatinMojibake(text: string): boolean {
  const { visible, han: latin } = shares(text, LATIN_AND_LATIN_EXTENDED);
  return latin >= MIN_LATIN_MOJIBAKE_CHARS && latin >= visible * MIN_LATIN_MOJIBAKE_SHARE;
}

/** Latin-1's upper half, Latin extended, IPA and spacing modifiers (U+0080–U+02FF). */
const LATIN_AND_LATIN_EXTENDED = /[\u0080-\u02ff]/u;

/**
 * Spans counted in code points (as the runs and stretches count them) in UTF-16 units of `text`,
 * as a stage reports them (`UnresolvedSpan`): a line with a character beyond the BMP before a run
 * (`𠀀`, or a page's private-use garbage) would otherwise hold out too little of it.
 */
function inUtf16Units(text: string, spans: readonly UnresolvedSpan[]): UnresolvedSpan[] {
  if (spans.length === 0 || !/[\uD800-\uDBFF]/.test(text)) return [...spans];
  const units = [0];
  for (const ch of text) units.push((units.at(-1) as number) + ch.length);
  const at = (point: number) => units[Math.min(point, units.length - 1)] as number;
  return spans.map((span) => ({ ...span, start: at(span.start), end: at(span.end) }));
}

/** U+FFFD a line must hold, and their least share of its visible characters, to be listed whole. */
const MIN_REPLACEMENTS = 3;
const MIN_REPLACEMENT_SHARE = 0.25;

/**
 * A line that a reader mostly replaced with U+FFFD and no hypothesis re-decodes (GBK read as UTF-8:
 * `��֤�������ֲ�`, a real page's every line): its bytes are gone, and what is left between the
 * replacement characters (`֤`, `ֲ`: Hebrew points, stray Han) is no text either. Listed whole, not
 * in the pieces the shifted-run stage would list around some of its U+FFFD.
 */
function mostlyReplacementCharacters(text: string): boolean {
  let visible = 0;
  let replaced = 0;
  for (const ch of text) {
    if ((ch.codePointAt(0) as number) <= 0x20) continue;
    visible++;
    if (ch === '\uFFFD') replaced++;
  }
  return replaced >= MIN_REPLACEMENTS && replaced >= visible * MIN_REPLACEMENT_SHARE;
}

/** What the line stage knows of the page the line is on. */
export interface PageContext {
  /** The page's other text, for picking lost characters. */
  vocabulary?: PageVocabulary;
  /** The page was read with the wrong charset and is undone line by line (`DocumentRedecoding`). */
  misdecoding?: Misdecoding;
}

/**
 * The line stage: a line read wholly with the wrong charset is re-decoded; otherwise its shifted
 * GBK runs are repaired or listed.
 */
export function repairMojibake(
  text: string,
  lm: LanguageModel = languageModel(),
  page: PageContext = {},
): StageOutput {
  if (page.misdecoding) {
    const line = redecodeLine(text, page.misdecoding, lm);
    if (line) return line;
  }
  const whole = repairMisdecodedText(text, lm);
  if (whole.repairs.length > 0 || whole.unresolved?.length) return whole;
  if (text.includes('\uFFFD') && mostlyReplacementCharacters(text)) return listedWhole(text);
  // Stretches of UTF-8 read as Windows-1252 beside real words, then the shifted runs of what is left.
  const stretches = repairUtf8Stretches(text, lm);
  // A line of Chinese bytes shown as Latin-1 where no stretch could be undone is listed whole, as
  // it was before stretches were listed: stretches of GBK bytes that happen to look like UTF-8
  // would list some of its garbage and leave the rest between them unlisted.
  if (stretches.repairs.length === 0 && stretches.unresolved.length > 0 && readsAsLatinMojibake(text))
    return listedWhole(text);
  const runs = repairShiftedRuns(stretches.text, lm, page.vocabulary ?? EMPTY_VOCABULARY);
  if (
    stretches.repairs.length === 0 &&
    stretches.unresolved.length === 0 &&
    runs.repairs.length === 0 &&
    runs.unresolved.length === 0 &&
    // The encoding back to GBK only behind the cheap gate every line already passes through.
    (readsAsLatinMojibake(text) || (looksMisdecoded(text, lm) && mostlyUtf8ReadAsGbk(text)))
  )
    return listedWhole(text);
  const lead = LOST_LEAD.exec(runs.text);
  const unresolved = [
    ...(lead
      ? [{ kind: 'unrepaired-mojibake' as const, start: 0, end: [...(lead[1] as string)].length }]
      : []),
    ...stretchesAfterRuns(stretches, runs.text),
    ...runs.unresolved,
  ].sort((a, b) => a.start - b.start);
  const tail = lostTail(runs.text, lm);
  if (tail !== undefined && !unresolved.some((u) => u.start <= tail && u.end > tail))
    unresolved.push({ kind: 'unrepaired-mojibake', start: tail, end: tail + 1 });
  const flags = unresolved.length > 0 ? ['unrepaired-mojibake'] : [];
  return {
    text: runs.text,
    repairs: [...stretches.repairs, ...runs.repairs],
    flags,
    unresolved: inUtf16Units(runs.text, unresolved),
  };
}

/**
 * The stretches left listed (`repairUtf8Stretches`), where they stand once the shifted runs are
 * repaired: found again in order (the runs' repairs change Han and `?`, not a stretch); the whole
 * line if one is not found.
 */
function stretchesAfterRuns(stretches: StageOutput, repaired: string): UnresolvedSpan[] {
  const listed = stretches.unresolved ?? [];
  if (listed.length === 0 || repaired === stretches.text) return listed;
  const before = [...stretches.text];
  const after = [...repaired];
  const spans: UnresolvedSpan[] = [];
  let from = 0;
  for (const span of listed) {
    const stretch = before.slice(span.start, span.end);
    let start = from;
    while (start + stretch.length <= after.length && stretch.some((c, k) => after[start + k] !== c)) start++;
    if (start + stretch.length > after.length)
      return [{ kind: 'unrepaired-mojibake', start: 0, end: after.length }];
    spans.push({ ...span, start, end: start + stretch.length });
    from = start + stretch.length;
  }
  return spans;
}

/** Where a sentence of prose ended before the last one. */
const SENTENCE_ENDED = /[。！!]/u;
const HAN_CHAR = /^\p{Script=Han}$/u;

/**
 * A prose paragraph ending in a lost character after a word cut short, in a clause that asks
 * nothing (`…如果还有其他问题，可以随时咨询平台的官方客?`: 服。 were lost with the run that carried
 * them, and the `?` was published as `？`): the place of that `?`, to be listed. A question mark
 * ends a question (`…吗?`, `…怎么办?`), or a word (`…影响?`), not a lone character of prose. On
 * 1,436 paragraphs of real pages and 45,520 generated ones no clean paragraph has this shape.
 */
function lostTail(text: string, lm: LanguageModel): number | undefined {
  const chars = [...text.trimEnd()];
  const last = chars.length - 1;
  if (last < 1 || !LOST_CHARS.has(chars[last] as string) || !HAN_CHAR.test(chars[last - 1] as string))
    return undefined;
  if (!chars.slice(0, last).some((c) => SENTENCE_ENDED.test(c)) || asksQuestion(chars, last))
    return undefined;
  const words = lm.segment(clauseBefore(chars, last, Number.POSITIVE_INFINITY));
  const word = words.at(-1) ?? '';
  return [...word].length === 1 && HAN_CHAR.test(word) ? last : undefined;
}

/**
 * A paragraph that opens with a character its decoder lost (`? 银行系网贷产品100%对接央行征信`: a
 * bullet or an emoji the page's charset lacked). No sentence opens with a question mark: it is
 * listed, so that no later stage makes a `？` of it.
 */
const LOST_LEAD = /^([?\uFFFD]+)(?=[ \t\u3000]*[^\s?\uFFFD])/u;

/** Text read at once for the document-level decision: enough to be sure, bounded in cost. */
const DOCUMENT_SAMPLE_CHARS = 20_000;
/** A page's markup is ASCII: its mojibake is a smaller share of it than a paragraph's. */
const DOCUMENT_NON_ASCII_SHARE = 0.1;

export interface DocumentRedecoding {
  text: string;
  repairs: TextRepair[];
  /**
   * The page was read wrongly, but not so that it can be undone at once (the wrong decoder dropped
   * bytes: U+FFFD): each line is undone under this hypothesis by the line stage, and a line that
   * cannot be is listed, however short (`瀵艰`, a heading, alone proves nothing).
   */
  lineMisdecoding?: Misdecoding;
}

/** Lines (at most) and characters read to decide a page that must be undone line by line. */
const LINE_SAMPLE_LINES = 60;
/** A line-by-line hypothesis must fit this share of the sampled lines with non-ASCII text. */
const MIN_LINES_FITTED = 0.8;

/** Whether the page's lines, each undone under a lossy hypothesis, read clearly better. */
function lineByLineMisdecoding(
  text: string,
  lm: LanguageModel,
  tried: (m: Misdecoding) => boolean,
): { m: Misdecoding; gain: number } | undefined {
  const sample: string[] = [];
  let chars = 0;
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (!/\P{ASCII}/u.test(line)) continue;
    sample.push(line);
    chars += line.length;
    if (sample.length >= LINE_SAMPLE_LINES || chars >= DOCUMENT_SAMPLE_CHARS) break;
  }
  if (sample.length === 0) return undefined;
  // Only hypotheses whose wrong reader could have made most lines (a cheap test, before the model
  // reads anything: a page of Han with a few garbled runs fits no Windows-1252 reading).
  const fits = (m: Misdecoding) =>
    sample.filter((line) => m.wrong(line.replaceAll('\uFFFD', '')) !== undefined).length >=
    sample.length * MIN_LINES_FITTED;
  const hypotheses = MISDECODINGS.filter((m) => m.lost && tried(m) && fits(m));
  if (hypotheses.length === 0) return undefined;
  const joined = sample.join('\n');
  if (!looksMisdecoded(joined, lm)) return undefined;
  const before = scoreText(joined, lm).mean;
  let best: { m: Misdecoding; gain: number } | undefined;
  for (const m of hypotheses) {
    const fixed: string[] = [];
    for (const line of sample) {
      const undone = undo(line, m, lm);
      if (undone) fixed.push(undone.text);
    }
    if (fixed.length < sample.length * MIN_LINES_FITTED) continue;
    const fixedText = fixed.join('\n');
    if (!plausibleMisreading(joined, fixedText, m, DOCUMENT_NON_ASCII_SHARE)) continue;
    const after = scoreText(fixedText, lm).mean;
    const gain = after - before;
    if (after >= MIN_REPAIRED_PAGE_LOGP && gain >= MIN_GAIN_PER_CHAR && (!best || gain > best.gain))
      best = { m, gain };
  }
  return best;
}

/** UTF-8 read as GBK, the one wrong reading whose losses leave no mark on a page (`lossyUtf8ReadAsGbk`). */
const UTF8_READ_AS_GBK = MISDECODINGS.find((m) => m.name === 'utf-8→gbk') as Misdecoding;
/** Whole UTF-8 characters that the page's misdecoded lines must hold together… */
const MIN_LOSSY_UTF8_CHARS = 20;
/** …and their least share of those lines' non-ASCII bytes (Chinese written in GBK: a third to a half). */
const MIN_LOSSY_UTF8_SHARE = 0.7;

/**
 * A page of UTF-8 read as GBK that lost bytes and was changed afterwards (pairs of GBK's
 * user-defined rows dropped by a store, the garbage "converted" to Simplified: `镶$エ` for 股票),
 * so that no line can be undone and a line alone may keep too few whole UTF-8 characters to be sure
 * of (a real page had 7 of its 13 lines listed and 6 published as they were). Where the page's
 * misdecoded lines, encoded back as GBK, are mostly UTF-8 together, the page is taken for one:
 * each line is undone where it can be and listed where it reads as misdecoded (`redecodeLine`).
 */
function lossyUtf8ReadAsGbk(text: string, lm: LanguageModel): boolean {
  let sampled = 0;
  let nonAscii = 0;
  let inUtf8 = 0;
  let chars = 0;
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (!/\P{ASCII}/u.test(line)) continue;
    if (++sampled > LINE_SAMPLE_LINES) break;
    if (!looksMisdecoded(line, lm)) continue;
    const share = utf8ShareReadAsGbk(line);
    nonAscii += share.nonAscii;
    inUtf8 += share.inUtf8;
    chars += share.chars;
  }
  return chars >= MIN_LOSSY_UTF8_CHARS && inUtf8 >= nonAscii * MIN_LOSSY_UTF8_SHARE;
}

/**
 * A line of a page read wrongly under `m` (decided for the page): undone, or listed whole when it
 * cannot be undone with confidence. Lines with nothing `m` could have made are left to the rest.
 */
function redecodeLine(text: string, m: Misdecoding, lm: LanguageModel): StageOutput | undefined {
  if (!/\P{ASCII}/u.test(text)) return undefined;
  if (m.unreadable) return WRONG_READER_RESIDUE.test(text) && m.wrong(text) ? listedWhole(text) : undefined;
  const undone = undo(text, m, lm);
  // A lost byte put back with less than `SURE_LOST_BYTE` is a guess (`小編總統` for 總結): the
  // line stays as it came, listed.
  if (undone && undone.text !== text && sureEnough(undone))
    return {
      text: undone.text,
      repairs: [
        { kind: 'charset', before: text, after: undone.text, confidence: roundConfidence(undone.confidence) },
      ],
      flags: [],
    };
  if (undone || text.includes('\uFFFD') || looksMisdecoded(text, lm)) return listedWhole(text);
  return undefined;
}

/** What a wrong reader leaves of Chinese bytes besides Han: Latin-1, Latin extended, Greek, Cyrillic,
 * Hebrew, Arabic, NKo… (one or two bytes of UTF-8, or one of Windows-1252). */
const WRONG_READER_RESIDUE = /[\u0080-\u07ff]/u;

/** A line kept as it came and listed whole. */
function listedWhole(text: string): StageOutput {
  return {
    text,
    repairs: [],
    flags: ['unrepaired-mojibake'],
    unresolved: [{ kind: 'unrepaired-mojibake', start: 0, end: text.length }],
  };
}

/**
 * A whole document read with the wrong charset (`ÊµÆÚ¼ä£¬ÎÒÖ÷ÒªÊÇ`: a GBK page read as
 * Windows-1252): the same hypotheses as a line, decided once on the document's text and applied
 * to all of it, so that short lines, which alone are too short to be sure of, come back too. The
 * document must be exactly what the wrong decoder makes of some bytes; otherwise it is left to the
 * line stage. One `charset` repair records it.
 *
 * The page is judged as the line stages will read it: without its control residue (a NUL, `\b`,
 * a zero-width space: `control-chars.ts`), which is no evidence about the charset, yet cost a
 * re-decoding its mean score (a NUL beside `鍙栧緱` kept the page as it came, and the next pass,
 * the NUL gone, re-decoded it: an idempotence counterexample of a random seed). A page re-decoded
 * loses its residue in the same step (inside a character's bytes it would stop the re-decoding),
 * each removal recorded as the line stage records it; a page left as it came keeps it for the lines.
 */
export function repairMisdecodedDocument(
  page: string,
  lm: LanguageModel = languageModel(),
): DocumentRedecoding {
  const residue = removeControlResidue(page);
  const text = residue.text;
  let sample = '';
  for (const ch of text) {
    if ((ch.codePointAt(0) as number) >= 0x80) sample += ch;
    if (sample.length >= DOCUMENT_SAMPLE_CHARS) break;
  }
  if (sample.length === 0 || !looksMisdecoded(sample, lm)) return { text: page, repairs: [] };
  const before = scoreText(sample, lm).mean;
  let best: { name: string; text: string; gain: number } | undefined;
  let unreadable: Misdecoding | undefined;
  for (const m of MISDECODINGS) {
    if (m.lost && text.includes('\uFFFD')) continue; // bytes lost over a whole page: leave it to lines
    const bytes = m.wrong(text);
    const fixed = bytes && m.right(bytes);
    if (!fixed || fixed === text) continue;
    const head = text.slice(0, 4 * DOCUMENT_SAMPLE_CHARS);
    if (!plausibleMisreading(head, fixed.slice(0, 4 * DOCUMENT_SAMPLE_CHARS), m, DOCUMENT_NON_ASCII_SHARE))
      continue;
    const after = scoreText(fixed, lm, DOCUMENT_SAMPLE_CHARS).mean;
    const gain = after - before;
    if (gain < MIN_GAIN_PER_CHAR) continue;
    if (after >= MIN_REPAIRED_PAGE_LOGP && (!best || gain > best.gain))
      best = { name: m.name, text: fixed, gain };
    else if (after < MIN_REPAIRED_PAGE_LOGP) unreadable ??= m;
  }
  if (!best) {
    // Bytes dropped by the wrong decoder: undone line by line (the lines' own stage does it), where
    // it left U+FFFD, or where Windows-1252's undefined bytes were stripped without a trace.
    const lossy = lineByLineMisdecoding(
      text,
      lm,
      text.includes('\uFFFD') ? () => true : (m) => m.droppedAnywhere === true,
    );
    // The page is what a wrong reader made of Chinese, and no reading gives Chinese back: every
    // line that reader left its marks on is listed rather than re-decoded into rare Han.
    if (!lossy && unreadable && !text.includes('\uFFFD'))
      return { text: page, repairs: [], lineMisdecoding: { ...unreadable, unreadable: true } };
    if (!lossy)
      return lossyUtf8ReadAsGbk(text, lm)
        ? { text: page, repairs: [], lineMisdecoding: UTF8_READ_AS_GBK }
        : { text: page, repairs: [] };
    return {
      text: page,
      repairs: [
        {
          kind: 'charset',
          before: lossy.m.name.split('→')[1] as string,
          after: lossy.m.name.split('→')[0] as string,
          confidence: confidenceFromMargin(lossy.gain - MIN_GAIN_PER_CHAR / 2),
        },
      ],
      lineMisdecoding: lossy.m,
    };
  }
  return {
    text: best.text,
    repairs: [
      {
        kind: 'charset',
        before: best.name.split('→')[1] as string,
        after: best.name.split('→')[0] as string,
        confidence: confidenceFromMargin(best.gain - MIN_GAIN_PER_CHAR / 2),
      },
      ...residue.repairs,
    ],
  };
}
