/**
 * Character-by-character Traditional → Simplified folding, built from opencc-js's own dictionaries.
 * Not a converter for output (that is `convert.ts`, phrase-aware): this fold is for comparing and
 * scoring text whatever its script, e.g. the language model and the canonical content hash.
 */
import * as OpenCC from 'opencc-js';
import { singleCharMap } from './opencc-dicts.js';

interface Fold {
  map: Map<string, string>;
  /** BMP code unit → its Simplified code unit, 0 where the fold keeps it (or maps outside the BMP). */
  table: Uint16Array;
  /** Matches the characters whose mapping the table cannot hold (outside the BMP), if any. */
  pattern: RegExp | undefined;
}

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
  const table = new Uint16Array(0x10000);
  let outsideTable = false;
  for (const [from, to] of map) {
    if (from.length === 1 && to.length === 1) table[from.charCodeAt(0)] = to.charCodeAt(0);
    else outsideTable = true;
  }
  const escaped = [...map.keys()].map((c) => (/[\\\]^-]/.test(c) ? `\\${c}` : c)).join('');
  return { map, table, pattern: outsideTable ? new RegExp(`[${escaped}]`, 'gu') : undefined };
}

let fold: Fold | undefined;

/** The Simplified form of each character of `text`, keeping anything without one as it is. */
export function toSimplifiedChars(text: string): string {
  fold ??= buildFold();
  const { map, table, pattern } = fold;
  // A table walk, and no new string at all when nothing changes (most calls).
  let out = '';
  let copied = 0;
  for (let i = 0; i < text.length; i++) {
    const to = table[text.charCodeAt(i)] as number;
    if (to === 0) continue;
    out += text.slice(copied, i) + String.fromCharCode(to);
    copied = i + 1;
  }
  if (copied > 0) out += text.slice(copied);
  else out = text;
  return pattern ? out.replace(pattern, (ch) => map.get(ch) ?? ch) : out;
}

/** True when `char` has a distinct Simplified form (it is a Traditional or regional variant). */
export function isTraditionalOnly(char: string): boolean {
  fold ??= buildFold();
  return fold.map.has(char);
}
