/**
 * Fault 3, unmarked gaps found by grammar. The preposition 在 opens a frame that a localizer or a
 * time noun closes: `在…中`, `在…上`, `在…的时候`, `在…的过程中`, `在…的同时`. A filter that deletes
 * the closer (`同时`) leaves `在提供便捷服务的保护用户的隐私`: right after 的 comes a verb with its
 * object, and nothing in the clause closes the frame. The place after that 的 is where a word
 * went missing; which word is for the source's profile and intact text to say.
 *
 * The same frame cut at a comma (`在追求收益的，投资者…`) ends its clause on 的.
 *
 * Conservative on purpose: a frame counts as closed by any localizer (`f`) or closing noun in the
 * rest of the clause (`在政府的支持下`), the verb after 的 must have something after it (`在…的保护`
 * at a clause end is a noun phrase), and `是…在…的` is the emphatic construction, not a frame.
 */
import type { LanguageModel } from '../language-model.js';
import { toSimplifiedChars } from '../script/char-fold.js';

/** Nouns that close a 在 frame besides localizers and time words (jieba tags them `n` or `c`). */
const CLOSING_NOUNS = new Set([
  '同时',
  '时',
  '时候',
  '过程',
  '情况',
  '前提',
  '基础',
  '背景',
  '条件',
  '方面',
  '范围',
  '领域',
  '阶段',
  '环境',
  '时期',
  '期间',
  '时代',
]);
const CLOSING_TAGS = new Set(['f', 't', 'tg']);
/** Verbs proper: `vn` (发展, 服务) reads as a noun after 的 and is no sign of a gap. */
const VERB_TAGS = new Set(['v', 'vd']);
const INSIDE_VERB_TAGS = new Set(['v', 'vd', 'vn']);
const HAN_RUN = /\p{Script=Han}+/gu;
/** Longest run of Han characters read as a clause. */
const MAX_CLAUSE = 48;
/** Cheap test before segmenting: a 在 with a 的 later in the same clause. */
const FRAME_SHAPE = /在[^，。；：？！、,.;:?!“”（）()]*的/u;

/** Does `word` close a 在 frame (`同时`, `时候`, `中`, `过程中`)? Either script. */
export function closesFrame(text: string, lm: LanguageModel): boolean {
  const word = toSimplifiedChars(text);
  if (closes(word, lm)) return true;
  // A closing noun with its localizer (`过程中`, `情况下`) is not one dictionary word.
  const head = word.slice(0, -1);
  return (
    head.length > 0 && CLOSING_NOUNS.has(head) && CLOSING_TAGS.has(lm.partOfSpeech(word.slice(-1)) ?? '')
  );
}

function closes(token: string, lm: LanguageModel): boolean {
  return CLOSING_NOUNS.has(token) || CLOSING_TAGS.has(lm.partOfSpeech(token) ?? '');
}

/** Offsets (in `text`, Simplified) right after the 的 of 在 frames that nothing closes. */
export function unclosedFrames(text: string, lm: LanguageModel): number[] {
  if (!FRAME_SHAPE.test(text)) return [];
  const gaps: number[] = [];
  // A clause is a run of Han characters; the segmenter cuts at anything else anyway, so only the
  // runs that hold a 在 before a 的 are segmented.
  for (const run of text.matchAll(HAN_RUN)) {
    const clause = run[0];
    // Prose puts punctuation every few dozen characters; a longer run is garbled text or a list,
    // where frames mean nothing and scanning from every 在 to the end would cost most.
    if (clause.length > MAX_CLAUSE) continue;
    const at = clause.indexOf('在');
    if (at < 0 || clause.lastIndexOf('的') < at) continue;
    const followed = (run.index as number) + clause.length < text.length;
    for (const offset of framesInClause(clause, followed, lm)) gaps.push((run.index as number) + offset);
  }
  return gaps;
}

/** `unclosedFrames` within one clause; `followed`: punctuation comes after it in the paragraph. */
function framesInClause(clause: string, followed: boolean, lm: LanguageModel): number[] {
  const tokens = lm.segment(clause);
  const starts: number[] = [];
  for (let t = 0, at = 0; t < tokens.length; at += (tokens[t] as string).length, t++) starts.push(at);
  const end = tokens.length;
  const gaps: number[] = [];
  for (let t = 0; t < end; t++) {
    if (tokens[t] !== '在') continue;
    const emphatic = tokens.slice(0, t).includes('是');
    let verbInside = false;
    for (let k = t + 1; k < end; k++) {
      const token = tokens[k] as string;
      if (closes(token, lm)) break;
      if (token !== '的') {
        verbInside ||= INSIDE_VERB_TAGS.has(lm.partOfSpeech(token) ?? '');
        continue;
      }
      if (!verbInside) continue;
      // `在追求收益的，`: the clause ends on the 的 (unless it is the emphatic 是…的).
      if (k + 1 === end && followed && !emphatic) {
        gaps.push((starts[k] as number) + 1);
        break;
      }
      const verb = tokens[k + 1];
      if (verb === undefined || k + 2 >= end) continue;
      if (!VERB_TAGS.has(lm.partOfSpeech(verb) ?? '')) continue;
      let closedLater = false;
      // Time words are left out here: jieba tags some adjectives `t` (潜在).
      for (let j = k + 2; j < end; j++) {
        const later = tokens[j] as string;
        closedLater ||= CLOSING_NOUNS.has(later) || lm.partOfSpeech(later) === 'f';
      }
      if (!closedLater) gaps.push((starts[k] as number) + 1);
      break;
    }
  }
  return [...new Set(gaps)];
}
