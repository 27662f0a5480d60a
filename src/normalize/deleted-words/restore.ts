/**
 * Fault 3, filling: put back the words a site's filter deleted, where the evidence is strong.
 *
 * - A marked gap (the filter left a space) certainly lost something: it gets the profile word the
 *   model likes best there (`的 ，` → `的電話，`).
 * - An unmarked place gets a profile word only with positive evidence: the document itself has the
 *   same phrase restored elsewhere (`2.2 內容` after `接到的電話內容`), a character lacks its usual
 *   partner (`安全問日益` → `安全問題日益`), intact text of other sources has the phrase around the
 *   place with the word and not without it, or a copy of the page on another site has the word.
 *   Character statistics alone do not place a word: over a batch of similar sites they find
 *   `客服_进行` wanting because the others write `客服电话` often, not because anything was cut.
 * - A 在 frame nothing closes (`在…的_保护用户`, see `frames.ts`) gets the closer in the profile
 *   that intact text writes after 的.
 *
 * Every insertion is a `missing-word` repair with its confidence; a gap left unfilled keeps the
 * `possible-gap` flag. Works on the Simplified draft, so one model serves both scripts.
 */

import type { DraftDocument } from '../draft.js';
import { type LanguageModel, languageModel } from '../language-model.js';
import { roundConfidence, softmax } from '../probability.js';
import { fromHans } from '../script/convert.js';
import type { Repair } from '../types.js';
import type { NgramView } from './char-ngram.js';
import {
  bothSidesHold,
  type ContextEvidence,
  contextEvidence,
  copiedInsertions,
  type IntactText,
  longestMatch,
  MIN_CONTEXT_MATCH,
} from './corpus.js';
import { type DictionaryIndex, dictionaryIndex } from './dictionary-index.js';
import { bond, hanContext, insertionGain, MIN_BOND, mayStandAlone } from './evidence.js';
import { closesFrame } from './frames.js';
import type { DeletionProfile } from './profile.js';

/** How sure a marked gap is a deletion at all (spaces between Han characters have few other causes). */
const MARKED_GAP_CERTAINTY = 0.97;
/** A profile word that fits a marked gap worse than this (nats) is not put there. */
const MIN_MARKED_GAIN = -14;
/** An unmarked insertion must not cost more than this under the dictionary model. */
const MIN_UNMARKED_GAIN = -12;
/**
 * Characters of intact text's context around an unmarked place that must match with the word
 * (a marked place needs `MIN_CONTEXT_MATCH`): two a side (`客服_进行`) is what common phrases give.
 */
const MIN_UNMARKED_CONTEXT = 6;

const CONFIDENCE = { cache: 0.9, orphan: 0.85 };
/** Characters of the paragraph shown either side of an insertion in its repair. */
const REPAIR_CONTEXT = 4;

export interface RestoreOptions {
  lm?: LanguageModel;
  index?: DictionaryIndex;
  /** Character statistics of intact text from other sources, when the batch has them. */
  background?: NgramView;
  /** The batch's text, searchable for long contexts, with the sources that are intact for a word. */
  intact?: IntactText;
}

interface Insertion {
  paragraph: number;
  offset: number;
  word: string;
  confidence: number;
  left: string;
  right: string;
}

type Resolved = Required<Omit<RestoreOptions, 'background' | 'intact'>> & RestoreOptions;

interface ContextChoice {
  word: string;
  evidence: ContextEvidence;
  /** Longest match of the runner-up word. */
  runnerUp: number;
}

function union(a: ReadonlySet<number>, b: ReadonlySet<number>): Set<number> {
  const out = new Set(a);
  for (const x of b) out.add(x);
  return out;
}

/**
 * Of `words`, the one whose phrase intact text of the batch shows best at `offset`, with what
 * intact text says of it. When two profile words were deleted side by side (`官方客服电话` →
 * `官方`), the best word and one of its `partners` are the choice if intact text shows the pair
 * better (looked for when the best word is missing here, or `pairsAnyway` at a marked gap).
 */
function placeByContext(
  intact: IntactText,
  text: string,
  offset: number,
  words: string[],
  partners: string[],
  evidence?: Map<string, ContextEvidence>,
  pairsAnyway = false,
): ContextChoice | undefined {
  let best: ContextChoice | undefined;
  let runnerUp = 0;
  for (const word of words) {
    if (text.slice(0, offset).endsWith(word) || text.startsWith(word, offset)) continue;
    const found = contextEvidence(
      { corpus: intact.corpus, excluded: intact.excluded(word) },
      text,
      offset,
      word,
    );
    evidence?.set(word, found);
    if (found.withWord < MIN_CONTEXT_MATCH) continue;
    if (!best || found.withWord > best.evidence.withWord) {
      runnerUp = Math.max(runnerUp, best?.evidence.withWord ?? 0);
      best = { word, evidence: found, runnerUp: 0 };
    } else runnerUp = Math.max(runnerUp, found.withWord);
  }
  if (!best) return undefined;
  best.runnerUp = runnerUp;
  if (!best.evidence.missing && !pairsAnyway) return best;
  const single = best.word;
  for (const other of partners) {
    if (other === single) continue;
    const excluded = union(intact.excluded(single), intact.excluded(other));
    const view = { corpus: intact.corpus, excluded };
    const alone = longestMatch(view, text, offset, single).length;
    for (const pair of [other + single, single + other]) {
      const both = contextEvidence(view, text, offset, pair);
      if (
        both.withWord > alone &&
        both.withWord > (best.word === single ? 0 : best.evidence.withWord) &&
        both.missing
      )
        best = { word: pair, evidence: both, runnerUp: alone };
    }
  }
  return best;
}

/** How sure a long context makes an insertion: by how many characters it beats the alternatives. */
function contextConfidence(choice: ContextChoice): number {
  const lead = Math.min(choice.evidence.lead, choice.evidence.withWord - choice.runnerUp);
  return 1 - 0.5 * Math.exp(-Math.max(0, lead) / 3);
}

/** A word the profile has never seen fill a marked gap still gets this share. */
const MIN_PRIOR = 0.02;

function fillMarkedGaps(
  draft: DraftDocument,
  profileWords: string[],
  prior: Map<string, number>,
  partnersOnly: ReadonlySet<string>,
  options: Resolved,
): Insertion[] {
  const insertions: Insertion[] = [];
  // Two filtered words side by side leave one gap (`官方客服電話` → `官方 `): pairs are candidates too.
  const words = [...profileWords];
  for (const a of profileWords) for (const b of profileWords) if (a !== b) words.push(a + b);
  const priorOf = (w: string) =>
    prior.get(w) ??
    profileWords
      .filter((p) => w.startsWith(p) && w !== p)
      .reduce((x, p) => x * (prior.get(p) ?? MIN_PRIOR) * (prior.get(w.slice(p.length)) ?? MIN_PRIOR), 1);
  for (const gap of draft.gaps) {
    if (gap.evidence !== 'marked') continue;
    const text = draft.paragraphs[gap.paragraph] ?? '';
    const { left, right } = hanContext(text, gap.offset);
    // A long context of intact text that shows one word (or pair) best decides.
    const byContext = options.intact
      ? placeByContext(options.intact, text, gap.offset, profileWords, profileWords, undefined, true)
      : undefined;
    if (
      byContext &&
      byContext.evidence.withWord > byContext.runnerUp &&
      byContext.evidence.withWord > byContext.evidence.without
    ) {
      insertions.push({
        paragraph: gap.paragraph,
        offset: gap.offset,
        word: byContext.word,
        confidence: MARKED_GAP_CERTAINTY * contextConfidence(byContext),
        left,
        right,
      });
      continue;
    }
    // A gap that also leaves a 在 frame open (`在…的 保护用户`) lost the frame's closer: only a
    // closer of the profile may go there, or nothing (it stays flagged).
    // A word known only as a character's lost partner (题 of 问题) goes where it completes one.
    const choices = (gap.inFrame ? words.filter((w) => closesFrame(w, options.lm)) : words).filter(
      (w) => !partnersOnly.has(w) || bond(left, w, right, options.lm) >= MIN_BOND,
    );
    if (choices.length === 0) continue;
    // Otherwise the dictionary and the share of the source's gaps each word fills. (Character
    // statistics of intact text are left out here: with a batch of a few dozen pages they mostly
    // price a word by its own frequency, which favours one-character words like 题 over 电话.)
    const scores = choices.map(
      (w) => Math.log(Math.max(priorOf(w), 1e-6)) + insertionGain(left, w, right, options.lm),
    );
    const probabilities = softmax(scores);
    let best = 0;
    for (let i = 1; i < choices.length; i++) if ((scores[i] as number) > (scores[best] as number)) best = i;
    if ((scores[best] as number) < MIN_MARKED_GAIN) continue;
    const word = choices[best] as string;
    insertions.push({
      paragraph: gap.paragraph,
      offset: gap.offset,
      word,
      confidence: MARKED_GAP_CERTAINTY * (probabilities[best] as number),
      left,
      right,
    });
  }
  return insertions;
}

/** The word before token `t` (or its last two characters when it is one character), and token `t`. */
function neighbourWords(tokens: string[], t: number): { before: string; after: string } {
  const previous = tokens[t - 1] ?? '';
  return {
    before: previous.length >= 2 ? previous : ((tokens[t - 2] ?? '') + previous).slice(-2),
    after: tokens[t] ?? '',
  };
}

/** The index of the token that starts at `offset`, or `tokens.length` when none does. */
function tokenAt(tokens: string[], offset: number): number {
  let position = 0;
  for (let t = 0; t < tokens.length; t++) {
    if (position === offset) return t;
    position += (tokens[t] as string).length;
  }
  return tokens.length;
}

const HAN = /^\p{Script=Han}+$/u;

/**
 * Phrases the document itself shows once its marked gaps are filled, word by word: its own cache
 * model. `2.2 內容` gets `電話` because the body now says `電話內容`; `3.2 營銷策略` does not, because
 * `營銷策略` is another word than the `營銷` the body's `電話營銷` has.
 */
function restoredPhrases(
  insertions: Insertion[],
  tokensOf: (paragraph: number) => string[],
): Map<string, Set<number>> {
  const phrases = new Map<string, Set<number>>();
  const add = (phrase: string, paragraph: number) =>
    phrases.set(phrase, (phrases.get(phrase) ?? new Set()).add(paragraph));
  for (const { paragraph, offset, word } of insertions) {
    const tokens = tokensOf(paragraph);
    const { before, after } = neighbourWords(tokens, tokenAt(tokens, offset));
    if (before.length >= 2 && HAN.test(before)) add(`${before}|${word}`, paragraph);
    if (after.length >= 2 && HAN.test(after)) add(`${word}|${after}`, paragraph);
  }
  return phrases;
}

function fillUnmarked(
  draft: DraftDocument,
  words: string[],
  taken: Set<string>,
  phrases: Map<string, Set<number>>,
  tokensOf: (paragraph: number) => string[],
  options: Resolved,
): Insertion[] {
  const insertions: Insertion[] = [];
  // A paragraph that ends on a dangling modifier (`二、莫名其妙的`) is the one place where a
  // phrase seen only on its left is enough.
  // The character model is consulted only for words intact text of the batch actually contains.
  const seenInBackground = new Map(words.map((w) => [w, (options.background?.count(w) ?? 0) > 0]));
  const danglingEnds = new Set(
    draft.gaps.filter((g) => g.evidence === 'unmarked').map((g) => `${g.paragraph}:${g.offset}`),
  );
  const singleChars = words.some((w) => w.length === 1);
  const anyBackground = [...seenInBackground.values()].some(Boolean);
  const inBackground = words.filter((w) => seenInBackground.get(w) === true);
  draft.paragraphs.forEach((text, paragraph) => {
    // Segmenting is the expensive part; skip paragraphs where no kind of evidence can apply.
    if (phrases.size === 0 && !singleChars && !anyBackground) return;
    const tokens = tokensOf(paragraph);
    // Word boundaries (offset → index of the token after it): the dictionary's and the cache's
    // evidence speaks only there; intact text's statistics speak anywhere (a deletion can glue
    // its neighbours into one dictionary word).
    const boundaries = new Map<number, number>();
    for (let t = 0, at = 0; t <= tokens.length; at += (tokens[t] ?? '').length, t++) boundaries.set(at, t);
    for (let offset = 0; offset <= text.length; offset++) {
      const t = boundaries.get(offset);
      if (t === undefined && !anyBackground) continue;
      // Words whose first and last characters intact text has next to this place's neighbours.
      const candidates =
        inBackground.length === 0
          ? inBackground
          : inBackground.filter(
              (word) =>
                joinsUnits(
                  options.background,
                  offset > 0 ? text.charCodeAt(offset - 1) : -1,
                  word.charCodeAt(0),
                ) &&
                joinsUnits(
                  options.background,
                  word.charCodeAt(word.length - 1),
                  offset < text.length ? text.charCodeAt(offset) : -1,
                ),
            );
      // Inside a word only intact text's contexts speak (the phrases and partners need a word's
      // edge): with no candidate for them, nothing can be put here.
      if (t === undefined && candidates.length === 0) continue;
      const place = `${paragraph}:${offset}`;
      if (taken.has(place)) continue;
      const previous = t === undefined ? '' : (tokens[t - 1] ?? '');
      const { before, after } = t === undefined ? { before: '', after: '' } : neighbourWords(tokens, t);
      // Nothing to check on a side: the paragraph starts there, or numbering/Latin text stands there.
      const openLeft = t !== undefined && (offset === 0 || /[\s\dA-Za-z.]/.test(text[offset - 1] as string));
      const openRight = danglingEnds.has(place);
      const partner = previous.length === 1 ? options.index.usualNext(previous) : undefined;
      // Intact text's long contexts first: the phrase with the word, clearly longer than without.
      const evidence = new Map<string, ContextEvidence>();
      const byContext =
        options.intact && candidates.length > 0
          ? placeByContext(options.intact, text, offset, candidates, words, evidence)
          : undefined;
      // Nothing marks this place, so a short match (`客服_进行`, two characters a side) is not
      // enough: it says the word is common there, not that something was cut out. Nor is a long
      // match on one side that breaks off at once on the other (`使用安逸花` against `使用花呗`).
      if (
        byContext &&
        byContext.evidence.withWord > byContext.runnerUp &&
        byContext.evidence.missing &&
        byContext.evidence.withWord >= MIN_UNMARKED_CONTEXT &&
        bothSidesHold(text, offset, byContext.evidence.sides)
      ) {
        const { left, right } = hanContext(text, offset);
        insertions.push({
          paragraph,
          offset,
          word: byContext.word,
          confidence: contextConfidence(byContext),
          left,
          right,
        });
        taken.add(place);
        continue;
      }
      for (const word of words) {
        // Cheap checks first: most places have no evidence for any word.
        const leftHit = phrases.has(`${before}|${word}`);
        const rightSeen = phrases.get(`${word}|${after}`);
        // A numbered heading (`2.2 內容`) takes a word only from the body right under it
        // (`接到的電話內容…`), not from anywhere in the page (`3.2 營銷策略` is complete as it is).
        const fromCache =
          (leftHit && (rightSeen !== undefined || openRight)) ||
          (openLeft && rightSeen?.has(paragraph + 1) === true);
        const orphan = partner?.char === word && after.length > 0 && !mayStandAlone(after, options.lm);
        if (!fromCache && !orphan) continue;
        const { left, right } = hanContext(text, offset);
        if (left.endsWith(word) || right.startsWith(word)) continue;
        // Where intact text knows the phrase without the word (at least as well as with it), the
        // document's own phrases and the dictionary, which see a few characters, are not enough.
        const context =
          evidence.get(word) ??
          (options.intact
            ? contextEvidence(
                { corpus: options.intact.corpus, excluded: options.intact.excluded(word) },
                text,
                offset,
                word,
              )
            : undefined);
        if (context && context.without >= Math.max(MIN_CONTEXT_MATCH, context.withWord)) continue;
        if (!fromCache && right.length === 0) continue;
        const gain = insertionGain(left, word, right, options.lm);
        if (!fromCache && gain <= 0) continue;
        if (gain < MIN_UNMARKED_GAIN) continue;
        const confidence = fromCache ? CONFIDENCE.cache : CONFIDENCE.orphan;
        insertions.push({ paragraph, offset, word, confidence, left, right });
        taken.add(place);
        break;
      }
    }
  });
  return insertions;
}

/** How sure a frame gap's closer is, when the source deletes it and intact text writes it there. */
const FRAME_CONFIDENCE = 0.8;

/**
 * 在 frames left open (`在提供便捷服务的_保护用户`): a closer the source's filter deletes goes back
 * when intact text of other sources writes it after the frame's last characters (`务的同时`, or at
 * least `的同时` often). Of several such profile words, the one intact text shows there most;
 * without intact text, or a profile closer, the gap stays flagged.
 */
function fillFrames(
  draft: DraftDocument,
  words: string[],
  taken: Set<string>,
  options: Resolved,
): Insertion[] {
  const background = options.background;
  const closers = words.filter((w) => closesFrame(w, options.lm));
  if (!background || background.size === 0 || closers.length === 0) return [];
  const insertions: Insertion[] = [];
  for (const gap of draft.gaps) {
    if (gap.evidence !== 'frame' || taken.has(`${gap.paragraph}:${gap.offset}`)) continue;
    const text = draft.paragraphs[gap.paragraph] ?? '';
    // Counts with the two characters before the gap, then with the 的 alone.
    const support = (word: string) =>
      background.count(text.slice(gap.offset - 2, gap.offset) + word) * 10 + background.count(`的${word}`);
    const scored = closers
      .filter((w) => !text.startsWith(w, gap.offset) && background.count(`的${w}`) > MIN_FRAME_SUPPORT)
      .map((w) => [w, support(w)] as const)
      .sort((a, b) => b[1] - a[1]);
    const best = scored[0];
    if (!best) continue;
    const total = scored.reduce((n, [, count]) => n + count, 0);
    const { left, right } = hanContext(text, gap.offset);
    insertions.push({
      paragraph: gap.paragraph,
      offset: gap.offset,
      word: best[0],
      confidence: FRAME_CONFIDENCE * (best[1] / total),
      left,
      right,
    });
    taken.add(`${gap.paragraph}:${gap.offset}`);
  }
  return insertions;
}

/** Intact text must write a closer after 的 more often than this before it fills a frame gap. */
const MIN_FRAME_SUPPORT = 2;

/** How sure a word another site's copy of the page shows in place is what was deleted. */
const COPY_CONFIDENCE = 0.9;

/**
 * Words the same article on another site has where this page has nothing (see
 * `copiedInsertions`): the page's source deletes words, and a copy shows one here. A word not in
 * the profile is taken too (the filter may delete it too rarely to be learned), if it is a
 * dictionary word or a pair of profile words.
 */
function fromCopies(
  draft: DraftDocument,
  words: string[],
  taken: Set<string>,
  options: Resolved,
): Insertion[] {
  if (!options.intact) return [];
  const intact = { corpus: options.intact.corpus, excluded: new Set([options.intact.source]) };
  const insertions: Insertion[] = [];
  draft.paragraphs.forEach((text, paragraph) => {
    for (const { offset, word } of copiedInsertions(intact, text)) {
      if (taken.has(`${paragraph}:${offset}`)) continue;
      const known =
        options.lm.wordLogP(word) !== undefined ||
        words.some((a) => word.startsWith(a) && words.includes(word.slice(a.length)));
      if (!known) continue;
      const { left, right } = hanContext(text, offset);
      insertions.push({ paragraph, offset, word, confidence: COPY_CONFIDENCE, left, right });
    }
  });
  return insertions;
}

/** `joins` by code units (-1: none, the paragraph's edge), memoized by number: asked at every place of every paragraph. */
const unitJoinCache = new WeakMap<NgramView, Map<number, boolean>>();

function joinsUnits(view: NgramView | undefined, a: number, b: number): boolean {
  if (!view) return false;
  let seen = unitJoinCache.get(view);
  if (!seen) {
    seen = new Map();
    unitJoinCache.set(view, seen);
  }
  const key = a < 0 ? -1 - b : b < 0 ? -0x10001 - a : a * 0x10000 + b;
  let known = seen.get(key);
  if (known === undefined) {
    known = joins(view, (a < 0 ? '' : String.fromCharCode(a)) + (b < 0 ? '' : String.fromCharCode(b)));
    seen.set(key, known);
  }
  return known;
}

/** Per character model: which two-character joins it has seen more than once (memoized). */
const joinCache = new WeakMap<NgramView, Map<string, boolean>>();

function joins(view: NgramView | undefined, pair: string): boolean {
  if (!view) return false;
  let seen = joinCache.get(view);
  if (!seen) {
    seen = new Map();
    joinCache.set(view, seen);
  }
  let known = seen.get(pair);
  if (known === undefined) {
    known = view.count(pair) > 1;
    seen.set(pair, known);
  }
  return known;
}

/** Puts back the profile's words in one draft; returns a new draft (the input is not changed). */
export function restoreDeletedWords(
  draft: DraftDocument,
  profile: DeletionProfile | undefined,
  options: RestoreOptions = {},
): DraftDocument {
  const words = profile?.words.map((w) => w.word) ?? [];
  if (words.length === 0) return draft;
  const resolved = {
    lm: options.lm ?? languageModel(),
    index: options.index ?? dictionaryIndex(),
    background: options.background,
    intact: options.intact,
  };
  const prior = new Map(profile?.words.map((w) => [w.word, Math.max(MIN_PRIOR, w.markedShare)]) ?? []);
  // Words the profile knows only from characters that lost them (no gap, no other source, no
  // frame showed them deleted).
  const partnersOnly = new Set(
    (profile?.words ?? [])
      .filter((w) => w.orphans > 0 && w.markedGaps === 0 && w.predicted === 0 && !w.frameGaps)
      .map((w) => w.word),
  );
  const marked = fillMarkedGaps(draft, words, prior, partnersOnly, resolved);
  const taken = new Set(
    draft.gaps.filter((g) => g.evidence === 'marked').map((g) => `${g.paragraph}:${g.offset}`),
  );
  // Segmenting is the expensive part: each paragraph once, for the phrases and for the places.
  const segmented = new Map<number, string[]>();
  const tokensOf = (paragraph: number) => {
    let tokens = segmented.get(paragraph);
    if (!tokens) {
      tokens = resolved.lm.segment(draft.paragraphs[paragraph] ?? '');
      segmented.set(paragraph, tokens);
    }
    return tokens;
  };
  const phrases = restoredPhrases(marked, tokensOf);
  const unmarked = fillUnmarked(draft, words, taken, phrases, tokensOf, resolved);
  for (const i of unmarked) taken.add(`${i.paragraph}:${i.offset}`);
  unmarked.push(...fillFrames(draft, words, taken, resolved));
  unmarked.push(...fromCopies(draft, words, taken, resolved));
  const insertions = [...marked, ...unmarked];
  if (insertions.length === 0) return draft;

  const paragraphs = [...draft.paragraphs];
  const byPlace = [...insertions].sort((a, b) => a.paragraph - b.paragraph || b.offset - a.offset);
  for (const { paragraph, offset, word } of byPlace) {
    const text = paragraphs[paragraph] as string;
    paragraphs[paragraph] = text.slice(0, offset) + word + text.slice(offset);
  }
  const toSource = (text: string) => fromHans(text, draft.script);
  // Each repair shows the insertion with a few characters of the paragraph either side.
  const repairs: Repair[] = insertions
    .sort((a, b) => a.paragraph - b.paragraph || a.offset - b.offset)
    .map(({ paragraph, offset, word, confidence }) => {
      const text = draft.paragraphs[paragraph] as string;
      const before = text.slice(Math.max(0, offset - REPAIR_CONTEXT), offset);
      const after = text.slice(offset, offset + REPAIR_CONTEXT);
      return {
        kind: 'missing-word',
        paragraph,
        before: toSource(before + after),
        after: toSource(before + word + after),
        confidence: roundConfidence(confidence),
      };
    });
  // Gaps left open keep their place: moved past the words inserted before them.
  const filled = new Set(insertions.map((i) => `${i.paragraph}:${i.offset}`));
  const gaps = draft.gaps
    .filter((g) => !filled.has(`${g.paragraph}:${g.offset}`))
    .map((g) => {
      let shift = 0;
      for (const i of insertions)
        if (i.paragraph === g.paragraph && i.offset < g.offset) shift += i.word.length;
      return shift === 0 ? g : { ...g, offset: g.offset + shift };
    });
  const flags = draft.flags.filter((f) => f !== 'possible-gap');
  if (gaps.length > 0) flags.push('possible-gap');
  // The page's forms (`script/page-forms.ts`) move with their characters: a word inserted at a
  // form's offset goes before it.
  const forms = draft.forms?.map((f) => {
    let shift = 0;
    for (const i of insertions)
      if (i.paragraph === f.paragraph && i.offset <= f.offset) shift += i.word.length;
    return shift === 0 ? f : { ...f, offset: f.offset + shift };
  });
  return {
    ...draft,
    paragraphs,
    repairs: [...draft.repairs, ...repairs],
    gaps,
    flags: flags.sort(),
    ...(forms ? { forms } : {}),
  };
}
