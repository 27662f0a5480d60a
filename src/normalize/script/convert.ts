/**
 * Conversion between scripts with opencc-js, plus the project's own overrides where opencc-js is
 * wrong for this kind of text (`zhu-zhe.ts` to Simplified, `to-traditional.ts` from it). Every
 * conversion goes through Simplified (`hans`): the canonical form of a record, and the form the
 * expected outputs are defined from.
 */
import * as OpenCC from 'opencc-js';
import { languageModel } from '../language-model.js';
import type { Script } from '../types.js';
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
  const converter: Converter = OpenCC.Converter({ from: OPENCC_LOCALE[from], to: OPENCC_LOCALE[to] });
  converters.set(key, converter);
  return converter;
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

/**
 * Converts many lines (a record's paragraphs) in one call: opencc-js's per-call cost dominates on
 * short lines, and no dictionary phrase spans a line break. Falls back to one call a line if the
 * count ever changes.
 */
export function convertLines(lines: readonly string[], convert: Converter): string[] {
  if (lines.length === 0) return [];
  const converted = convert(lines.join('\n')).split('\n');
  return converted.length === lines.length ? converted : lines.map(convert);
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
