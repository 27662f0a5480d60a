/**
 * Conversion between scripts with opencc-js, plus the project's own overrides where opencc-js is
 * wrong for this kind of text. Every conversion goes through Simplified (`hans`): the canonical
 * form of a record, and the form the expected outputs are defined from.
 */
import * as OpenCC from 'opencc-js';
import type { Script } from '../types.js';
import { TO_HANS_OVERRIDES } from './overrides.js';

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

/** Replaces each override phrase in one pass, longest first. */
function applyOverrides(text: string, overrides: ReadonlyMap<string, string>, pattern: RegExp): string {
  return overrides.size === 0 ? text : text.replace(pattern, (phrase) => overrides.get(phrase) ?? phrase);
}

function overridePattern(overrides: ReadonlyMap<string, string>): RegExp {
  const phrases = [...overrides.keys()].sort((a, b) => b.length - a.length);
  return new RegExp(phrases.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
}

const toHansPattern = overridePattern(TO_HANS_OVERRIDES);

/** Traditional (any regional standard) or Simplified text → Simplified. */
export function toHans(text: string, from: Script): string {
  if (from === 'hans') return text;
  return applyOverrides(opencc(from, 'hans')(text), TO_HANS_OVERRIDES, toHansPattern);
}

/** Simplified text → the target script. */
export function fromHans(text: string, to: Script): string {
  return to === 'hans' ? text : opencc('hans', to)(text);
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
