/**
 * Character-by-character Traditional → Simplified folding, built from opencc-js's own dictionaries.
 * Not a converter for output (that is `convert.ts`, phrase-aware): this fold is for comparing and
 * scoring text whatever its script, e.g. the language model and the canonical content hash.
 */
import * as OpenCC from 'opencc-js';
import { singleCharMap } from './opencc-dicts.js';

interface Fold {
  map: Map<string, string>;
  /** Simplified characters that have a distinct Traditional form (这, 为, 后). */
  simplifiedOnly: Set<string>;
  /** BMP code unit → its Simplified code unit, 0 where the fold keeps it, `IN_MAP` otherwise. */
  table: Uint16Array;
}

/** Table entry of a character whose mapping the table cannot hold (outside the BMP): see `map`. */
const IN_MAP = 0xffff;

function buildFold(): Fold {
  const { Locale } = OpenCC;
  const toCn = singleCharMap(Locale.to.cn ?? []);
  const map = new Map([...toCn].filter(([from, to]) => from !== to));
  // Regional variants (Taiwan 為, Hong Kong 着…) go to OpenCC's standard form first, then to
  // Simplified; a variant that is itself a Simplified character (么, 才) is not folded.
  const simplifiedChars = new Set(singleCharMap(Locale.from.cn ?? []).keys());
  for (const region of ['tw', 'hk']) {
    for (const [variant, standard] of singleCharMap(Locale.from[region] ?? [])) {
      const simplified = toCn.get(standard) ?? standard;
      if (!map.has(variant) && simplified !== variant && !simplifiedChars.has(variant))
        map.set(variant, simplified);
    }
  }
  // A few characters fold in two steps (薴 → 苧 → 苎).
  const folded = new Map([...map].map(([from, to]) => [from, map.get(to) ?? to]));
  // A character outside the BMP is marked by its high surrogate.
  const table = new Uint16Array(0x10000);
  for (const [from, to] of folded)
    table[from.charCodeAt(0)] = from.length === 1 && to.length === 1 ? to.charCodeAt(0) : IN_MAP;
  const simplifiedOnly = new Set(
    [...singleCharMap(Locale.from.cn ?? [])].filter(([from, to]) => from !== to).map(([from]) => from),
  );
  return { map: folded, table, simplifiedOnly };
}

let fold: Fold | undefined;

/** The Simplified form of each character of `text`, keeping anything without one as it is. */
export function toSimplifiedChars(text: string): string {
  fold ??= buildFold();
  const { map, table } = fold;
  // A table walk, and no new string at all when nothing changes (most calls).
  let out = '';
  let copied = 0;
  for (let i = 0; i < text.length; i++) {
    const to = table[text.charCodeAt(i)] as number;
    if (to === 0) continue;
    if (to !== IN_MAP) {
      out += text.slice(copied, i) + String.fromCharCode(to);
      copied = i + 1;
      continue;
    }
    const char = String.fromCodePoint(text.codePointAt(i) as number);
    const simplified = map.get(char);
    if (simplified === undefined) continue;
    out += text.slice(copied, i) + simplified;
    copied = i + char.length;
    i = copied - 1;
  }
  if (copied === 0) return text;
  return out + text.slice(copied);
}

/**
 * `[...text].some(isTraditionalOnly)`, without an array of the text's characters (asked of every
 * paragraph of a Simplified page): a table look-up per code unit, a pair of surrogates asked whole.
 */
export function hasTraditionalOnly(text: string): boolean {
  fold ??= buildFold();
  const { map, table } = fold;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (code >= 0xd800 && code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      if (map.has(text.slice(i, i + 2))) return true;
      i++;
    } else if (table[code] !== 0) return true;
  }
  return false;
}

/** True when `char` has a distinct Simplified form (it is a Traditional or regional variant). */
export function isTraditionalOnly(char: string): boolean {
  fold ??= buildFold();
  return char.length === 1 ? fold.table[char.charCodeAt(0)] !== 0 : fold.map.has(char);
}

/** True when `char` is a Simplified form with a distinct Traditional one (这, 为; not 后, which
 * Traditional text also writes). */
export function isSimplifiedOnly(char: string): boolean {
  fold ??= buildFold();
  return fold.simplifiedOnly.has(char) && !fold.map.has(char);
}
