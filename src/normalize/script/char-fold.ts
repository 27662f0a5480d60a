/**
 * Character-by-character Traditional → Simplified folding, built from opencc-js's own dictionaries.
 * Not a converter for output (that is `convert.ts`, phrase-aware): this fold is for comparing and
 * scoring text whatever its script, e.g. the language model and the canonical content hash.
 */
import * as OpenCC from 'opencc-js';
import { singleCharMap } from './opencc-dicts.js';

function buildFold(): Map<string, string> {
  const { Locale } = OpenCC;
  const toCn = singleCharMap(Locale.to.cn ?? []);
  const fold = new Map(toCn);
  // Regional variants (Taiwan 為, Hong Kong 着…) go to OpenCC's standard form first, then to Simplified.
  for (const region of ['tw', 'hk']) {
    for (const [variant, standard] of singleCharMap(Locale.from[region] ?? [])) {
      if (!fold.has(variant)) fold.set(variant, toCn.get(standard) ?? standard);
    }
  }
  return fold;
}

let fold: Map<string, string> | undefined;

/** The Simplified form of each character of `text`, keeping anything without one as it is. */
export function toSimplifiedChars(text: string): string {
  fold ??= buildFold();
  let out = '';
  for (const ch of text) out += fold.get(ch) ?? ch;
  return out;
}

/** True when `char` has a distinct Simplified form (it is a Traditional or regional variant). */
export function isTraditionalOnly(char: string): boolean {
  fold ??= buildFold();
  const simplified = fold.get(char);
  return simplified !== undefined && simplified !== char;
}
