/**
 * Simplified → Traditional with opencc-js plus the project's finance overrides
 * (`TO_TRADITIONAL_OVERRIDES`: 发卡 → 發卡, 签 → 簽, 冲正 → 沖正…).
 *
 *   toTraditional('基金发行前，发卡银行要先面签', 'tw')  →  '基金發行前，發卡銀行要先面簽'
 *   (opencc-js alone: '基金髮行前，髮卡銀行要先面籤')
 *
 * The overrides join opencc-js's own phrase dictionary, ahead of it, so they win wherever its
 * longest-match scan reaches them. The scan can also run past a word's start: at 金 of 基金发行 it
 * takes the phrase 金发 (blond hair) before it reaches 发行. So where an override's text did not
 * come out as the override says, the clause is segmented into words (the language model, from
 * jieba's dictionary) and, at each edge of the override's text where a word starts or ends, the
 * text is cut and the pieces converted apart: `基金|发行`, `网上|签约`. Where no word starts there
 * (头发卡住, 标签, 新股中签), opencc-js's phrase stands (頭髮卡住, 標籤, 新股中籤).
 */
import * as OpenCC from 'opencc-js';
import { languageModel } from '../language-model.js';
import type { Script } from '../types.js';
import { type OpenccConfig, presetConverter } from './compact-trie.js';
import { TO_TRADITIONAL_OVERRIDES } from './overrides.js';

type Converter = (text: string) => string;
type TraditionalScript = Exclude<Script, 'hans'>;

/** opencc-js's config of each conversion from Simplified. */
const CONFIG: Record<TraditionalScript, string> = { hant: 's2t', tw: 's2tw', hk: 's2hk' };

/** Characters of context segmented on each side of an override's text. */
const REACH = 8;

/** The overrides in opencc-js's dictionary format. */
function overrideDict(): string {
  return [...TO_TRADITIONAL_OVERRIDES].map(([from, to]) => `${from} ${to}`).join('|');
}

const converters = new Map<TraditionalScript, Converter>();
/** Each override's own conversion, by standard. */
const keyForms = new Map<string, string>();

/**
 * opencc-js's converter from Simplified with the overrides ahead of its own phrases: its config
 * (normalization, segmentation, conversion chain) rebuilt from the parts the package exports.
 */
function converter(to: TraditionalScript): Converter {
  const cached = converters.get(to);
  if (cached) return cached;
  const config = OpenCC.Locale.configs[CONFIG[to]] as OpenccConfig | undefined;
  if (!config) throw new Error(`opencc-js has no ${CONFIG[to]} config`);
  // opencc-js's ConverterFactory and Trie, in typed arrays (`compact-trie.ts`): the same
  // conversion in a tenth of the memory, in every thread that converts.
  const convert = presetConverter(config, overrideDict());
  converters.set(to, convert);
  return convert;
}

let keyPattern: RegExp | undefined;

/** Every override's text in `text`, longest first where two start at the same place. */
function overrideTexts(text: string): { start: number; end: number; key: string }[] {
  keyPattern ??= new RegExp(
    [...TO_TRADITIONAL_OVERRIDES.keys()]
      .sort((a, b) => b.length - a.length)
      .map((key) => key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('|'),
    'g',
  );
  return [...text.matchAll(keyPattern)].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
    key: m[0],
  }));
}

function isHan(ch: string | undefined): boolean {
  return ch !== undefined && /\p{Script=Han}/u.test(ch);
}

/** The words of the clause around `text[start, end)`, as [start, end) offsets into `text`. */
function wordsAround(text: string, start: number, end: number): [number, number][] {
  let from = start;
  while (from > 0 && start - from < REACH && isHan(text[from - 1])) from--;
  let to = end;
  while (to < text.length && to - end < REACH && isHan(text[to])) to++;
  const words: [number, number][] = [];
  let at = from;
  for (const word of languageModel().segmentSimplified(text.slice(from, to)).words) {
    words.push([at, at + word.length]);
    at += word.length;
  }
  return words;
}

/**
 * Simplified `text` → the Traditional standard `to`, overrides included. The conversion keeps
 * every character in its place (opencc-js's dictionaries for these standards map one to one).
 */
export function toTraditional(text: string, to: TraditionalScript): string {
  const convert = converter(to);
  const converted = convert(text);
  if (converted.length !== text.length) return converted;
  const cuts = new Set<number>();
  for (const { start, end, key } of overrideTexts(text)) {
    let form = keyForms.get(`${to}:${key}`);
    if (form === undefined) {
      form = convert(key);
      keyForms.set(`${to}:${key}`, form);
    }
    if (converted.slice(start, end) === form) continue;
    // A word starts (ends) at the override's edge: a longer override is a word itself; a single
    // character needs a word of its own there (签约 in 网上签约, not 签 alone in 新股中签).
    const words = wordsAround(text, start, end);
    const isWord = (a: number, b: number) => key.length >= 2 || b - a >= 2;
    if (start > 0 && words.some(([a, b]) => a === start && isWord(a, b))) cuts.add(start);
    if (end < text.length && words.some(([a, b]) => b === end && isWord(a, b))) cuts.add(end);
  }
  if (cuts.size === 0) return converted;
  const pieces: string[] = [];
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    pieces.push(convert(text.slice(from, cut)));
    from = cut;
  }
  pieces.push(convert(text.slice(from)));
  return pieces.join('');
}
