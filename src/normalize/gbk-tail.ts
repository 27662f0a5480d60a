/**
 * Fault 2, garbled paragraph tails: `應當(dāng)?shù)玫匠浞直U稀?/p>` → `應當得到充分保障。`.
 *
 * The page was GBK. Right after a character P the decoder restarted one byte early, on P's trail
 * byte, so every following pair of bytes straddles two real characters. The first straddling
 * character was lost to `?` (sometimes after the annotator gave it a reading, `?shù)`), the rest
 * decoded to plausible-looking nonsense, and the last lone byte swallowed the next ASCII byte
 * (`?/p>`). Full-width characters in the run were then folded to ASCII (`Ｕ` → `U`).
 *
 * The repair is arithmetic, not guesswork: re-encode the run as GBK (ASCII back to full width),
 * prepend P's trail byte and the one byte that the reading pins down, and decode again in step.
 * Only the very last byte is unknown; the language model picks it (at a paragraph end it is
 * almost always `。`). When the model is not sure, the text stays as it is and is flagged.
 */
import { type BytePair, decodeGbkPair, encodeGbkChar, trailsAfter } from './encoding/gbk-table.js';
import { type LanguageModel, languageModel } from './language-model.js';
import { readingsOf } from './pinyin.js';
import { roundConfidence, softmax } from './probability.js';
import type { StageOutput, TextRepair } from './types.js';

/**
 * Below this the tail is flagged `unrepaired-mojibake` and left alone: a wrong character (不被 read
 * as 不不) is worse than a flagged tail.
 */
export const MIN_TAIL_CONFIDENCE = 0.7;
/**
 * The repaired text must beat the garbled text by this many nats per repaired character. A run
 * whose lost character's reading matched is already strong evidence; a bare `?` needs the model.
 */
const MIN_GAIN_PER_CHAR = { withReading: 0, bare: 1.5 };
/** How many characters of context either side the model sees when ranking candidates. */
const CONTEXT_CHARS = 8;

const LOST = /[?\uFFFD]/;
const READING = /^[a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜńňǹḿ]{1,7}\s?\)/u;
/** The rest of an HTML tag whose `<` the last lone byte swallowed. */
const TAG_RESIDUE = /^\/?[a-zA-Z][a-zA-Z0-9]*>/;

/** How a paragraph usually ends, for the last byte when the run reaches the end. */
const END_OF_PARAGRAPH_PRIOR: Record<string, number> = {
  '。': 0.8,
  '！': 0.04,
  '？': 0.04,
  '”': 0.04,
  '…': 0.03,
  '）': 0.02,
  '」': 0.02,
};
const OTHER_END_PRIOR = 0.001;
/** Sentence-final particles that ask: after them a paragraph ends on `？`. */
const QUESTION_PARTICLES = /[吗嗎呢么麼吧]$/;
const AFTER_QUESTION_PRIOR: Record<string, number> = { '？': 0.85, '！': 0.05, '。': 0.05 };

/** The GBK bytes a character of a garbled run stood for; ASCII was folded from full width. */
function runCharBytes(char: string): BytePair | undefined {
  const code = char.codePointAt(0) ?? 0;
  if (code > 0x20 && code < 0x7f) return [0xa3, code + 0x80];
  return encodeGbkChar(char);
}

interface TailMatch {
  /** Index of the `?` that replaced the first straddling character. */
  start: number;
  /** Index just past everything the repair replaces (terminator and tag residue included). */
  end: number;
  previous: string;
  reading: string | undefined;
  run: BytePair[];
  /** The run reached the end of the paragraph (possibly through a swallowed closing tag). */
  atParagraphEnd: boolean;
}

/** Reads a candidate garbled run that starts at the `?` at `start`, or undefined. */
function matchTail(chars: string[], start: number): TailMatch | undefined {
  const previous = chars[start - 1];
  if (!previous || !encodeGbkChar(previous)) return undefined;
  let i = start + 1;
  let reading: string | undefined;
  const readingMatch = READING.exec(chars.slice(i, i + 10).join(''));
  if (readingMatch) {
    reading = readingMatch[0].replace(/\s?\)$/, '');
    i += [...readingMatch[0]].length;
  }
  const run: BytePair[] = [];
  for (; i < chars.length; i++) {
    const ch = chars[i] as string;
    if (LOST.test(ch)) break;
    const bytes = runCharBytes(ch);
    if (!bytes) return undefined;
    run.push(bytes);
  }
  if (run.length === 0) return undefined;
  let end = i;
  if (i < chars.length) {
    end = i + 1; // the terminating `?`
    const residue = TAG_RESIDUE.exec(chars.slice(end, end + 12).join(''));
    if (residue) end += residue[0].length;
  }
  return { start, end, previous, reading, run, atParagraphEnd: end >= chars.length };
}

interface Candidate {
  text: string;
  probability: number;
}

function best(candidates: Candidate[]): Candidate | undefined {
  let top: Candidate | undefined;
  for (const c of candidates) if (!top || c.probability > top.probability) top = c;
  return top;
}

/** Decodes a matched run in step; undefined when a middle pair is not a character. */
function repairTail(match: TailMatch, before: string, after: string, lm: LanguageModel) {
  const previousBytes = encodeGbkChar(match.previous) as BytePair;
  const straddle = previousBytes[1];
  const { run } = match;
  const first = run[0] as BytePair;
  const last = run[run.length - 1] as BytePair;

  let middle = '';
  for (let k = 0; k + 1 < run.length; k++) {
    const ch = decodeGbkPair((run[k] as BytePair)[1], (run[k + 1] as BytePair)[0]);
    if (!ch) return undefined;
    middle += ch;
  }

  // The byte after P's trail byte: pinned by the reading when there is one, else the model's pick.
  const heads: string[] = [];
  for (const b1 of trailsAfter(straddle)) {
    const lost = decodeGbkPair(straddle, b1) as string;
    // READING matches only lower-case precomposed letters: the reading needs no normalizing here,
    // once per candidate byte (about 190 of them).
    if (match.reading && !readingsOf(lost).has(match.reading)) continue;
    const head = decodeGbkPair(b1, first[0]);
    if (head) heads.push(head);
  }
  if (heads.length === 0) return undefined;
  const headScores = heads.map((h) => lm.score(before + match.previous + h + middle));
  const headChoice = best(
    softmax(headScores).map((probability, k) => ({ text: heads[k] as string, probability })),
  );

  const tails = trailsAfter(last[1])
    .map((z) => decodeGbkPair(last[1], z) as string)
    .filter((ch) => ch !== undefined);
  if (tails.length === 0 || !headChoice) return undefined;
  const tailScores = tails.map((t) => {
    const score = lm.score(middle.slice(-CONTEXT_CHARS) + t + after);
    const table = QUESTION_PARTICLES.test(middle) ? AFTER_QUESTION_PRIOR : END_OF_PARAGRAPH_PRIOR;
    const prior = match.atParagraphEnd ? (table[t] ?? OTHER_END_PRIOR) : 1;
    return score + Math.log(prior);
  });
  const tailChoice = best(
    softmax(tailScores).map((probability, k) => ({ text: tails[k] as string, probability })),
  );
  if (!tailChoice) return undefined;

  // Several characters with the shown reading (驮, 鸵 for tuó) leave the choice to a unigram model
  // that cannot tell 也就越多 from 也就医多: it must be nearly sure.
  const headConfidence = heads.length > 1 ? headChoice.probability ** 2 : headChoice.probability;
  return {
    text: headChoice.text + middle + tailChoice.text,
    confidence: headConfidence * tailChoice.probability,
  };
}

/**
 * Finds and repairs every GBK-shifted run in one paragraph. Runs the model is unsure of are left
 * in place and flagged `unrepaired-mojibake`.
 */
export function repairGbkTails(text: string, lm: LanguageModel = languageModel()): StageOutput {
  if (!LOST.test(text)) return { text, repairs: [], flags: [] };
  const chars = [...text];
  const repairs: TextRepair[] = [];
  const flags: string[] = [];
  let out = '';
  let i = 0;
  while (i < chars.length) {
    const ch = chars[i] as string;
    const match = LOST.test(ch) ? matchTail(chars, i) : undefined;
    if (!match) {
      out += ch;
      i++;
      continue;
    }
    // Only the tail of what is written so far: spreading all of it would make long texts quadratic.
    const contextBefore = [...out.slice(-4 * CONTEXT_CHARS)].slice(-CONTEXT_CHARS - 1, -1).join('');
    const contextAfter = chars.slice(match.end, match.end + CONTEXT_CHARS).join('');
    const garbled = chars.slice(match.start, match.end).join('');
    const repaired = repairTail(match, contextBefore, contextAfter, lm);
    const gain = repaired
      ? (lm.score(contextBefore + match.previous + repaired.text + contextAfter) -
          lm.score(contextBefore + match.previous + garbled + contextAfter)) /
        [...repaired.text].length
      : Number.NEGATIVE_INFINITY;
    if (!repaired || gain <= MIN_GAIN_PER_CHAR[match.reading ? 'withReading' : 'bare']) {
      // Not a shifted run after all (an ASCII `?` before ordinary text), or one the model cannot read.
      if (repaired && gain > 0 && match.reading) flags.push('unrepaired-mojibake');
      out += ch;
      i++;
      continue;
    }
    if (repaired.confidence < MIN_TAIL_CONFIDENCE) {
      flags.push('unrepaired-mojibake');
      out += garbled;
      i = match.end;
      continue;
    }
    repairs.push({
      kind: 'mojibake',
      before: match.previous + garbled,
      after: match.previous + repaired.text,
      confidence: roundConfidence(repaired.confidence),
    });
    out += repaired.text;
    i = match.end;
  }
  return { text: out, repairs, flags };
}
