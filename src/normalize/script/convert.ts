/**
 * Conversion between scripts with opencc-js, plus the project's own overrides where opencc-js is
 * wrong for this kind of text (`zhu-zhe.ts` to Simplified, `to-traditional.ts` from it). Every
 * conversion goes through Simplified (`hans`): the canonical form of a record, and the form the
 * expected outputs are defined from.
 */
import * as OpenCC from 'opencc-js';
import { languageModel } from '../language-model.js';
import type { Script } from '../types.js';
import { type OpenccConfig, presetConverter } from './compact-trie.js';
import { toTraditional } from './to-traditional.js';
import { chooseZhu, ZHE, ZHU } from './zhu-zhe.js';

type Converter = (text: string) => string;

/** opencc-js locale names for each of our scripts. */
const OPENCC_LOCALE: Record<Script, string> = { hans: 'cn', hant: 't', tw: 'tw', hk: 'hk' };

const converters = new Map<string, Converter>();

function opencc(from: Script, to: Script): Converter {
  const key = `${from}>${to}`;
  const cached = converters.get(key);
  if (cached) return cached;
  const converter: Converter =
    (to === 'hans' && compactToSimplified(from)) ||
    OpenCC.Converter({ from: OPENCC_LOCALE[from], to: OPENCC_LOCALE[to] });
  converters.set(key, converter);
  return converter;
}

/**
 * `OpenCC.Converter({ from, to: 'cn' })` rebuilt on typed-array tries (`compact-trie.ts`, as
 * `to-traditional.ts` does the other way): the same text (checked on every line of 6 MB of the
 * bench's dumps, each standard), 20–35 % less time and a third of the memory of opencc-js's
 * `Map`s. Undefined when opencc-js has no preset for the pair (it then chains its dictionaries).
 */
function compactToSimplified(from: Script): Converter | undefined {
  // opencc-js's name of the preset: t2s, tw2s, hk2s.
  const config = OpenCC.Locale.configs?.[`${OPENCC_LOCALE[from]}2s`] as OpenccConfig | undefined;
  return config ? presetConverter(config) : undefined;
}

/**
 * Traditional (any regional standard) or Simplified text → Simplified, with each 著 decided by its
 * word (`zhu-zhe.ts`): Taiwan writes the particle 著, OpenCC's standard and Hong Kong's 着.
 */
export function toHans(text: string, from: Script): string {
  if (from === 'hans') return text;
  const converted = opencc(from, 'hans')(text);
  if (!text.includes(ZHU)) return converted;
  return chooseZhu(text, converted, from === 'tw' ? ZHE : ZHU, languageModel());
}

/** Simplified text → the target script, with the finance overrides (`to-traditional.ts`). */
export function fromHans(text: string, to: Script): string {
  return to === 'hans' ? text : toTraditional(text, to);
}

/** Characters converted in one call at most (but a longer line goes whole). */
const BATCH_CHARS = 64 * 1024;

/**
 * Converts many lines (a record's paragraphs) a batch at a time: opencc-js's per-call cost
 * dominates on short lines, and no dictionary phrase spans a line break. Batches are bounded
 * (`BATCH_CHARS`): the converter's working memory is many times the text it is given, and a page
 * of 50 MB in one call ran out of a 1 GB heap. Falls back to one call a line if a batch's count
 * of lines ever changes.
 */
export function convertLines(lines: readonly string[], convert: Converter): string[] {
  const out: string[] = [];
  let from = 0;
  while (from < lines.length) {
    let to = from;
    let chars = 0;
    while (to < lines.length && (to === from || chars + (lines[to] as string).length <= BATCH_CHARS))
      chars += (lines[to++] as string).length + 1;
    const batch = lines.slice(from, to);
    const converted = convert(batch.join('\n')).split('\n');
    for (const line of converted.length === batch.length ? converted : batch.map(convert)) out.push(line);
    from = to;
  }
  return out;
}

/**
 * Any script → any script. Between two Traditional standards opencc-js converts directly, because
 * a detour through Simplified would merge characters that Traditional keeps apart (乾/幹 → 干).
 */
export function convertScript(text: string, from: Script, to: Script): string {
  if (from === to) return text;
  if (from !== 'hans' && to !== 'hans') return opencc(from, to)(text);
  return fromHans(toHans(text, from), to);
}
