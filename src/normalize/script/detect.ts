/**
 * Which script a document is written in: Simplified, or Traditional in OpenCC's standard, Taiwan's
 * or Hong Kong's forms. Decided by counting characters that exist in only one of them.
 */
import * as OpenCC from 'opencc-js';
import type { Script } from '../types.js';
import { isTraditionalOnly } from './char-fold.js';
import { singleCharMap } from './opencc-dicts.js';

/**
 * Frequent characters each Traditional standard writes its own way (為/爲, 著/着, 裡/裏…). A few
 * are shared between two standards; the profile with the most hits wins, OpenCC's on a tie.
 */
const REGIONAL_FORMS: Record<'hant' | 'tw' | 'hk', string> = {
  hant: '爲着裏綫衆僞啓羣峯牀污泄祕喫衞',
  tw: '為著裡線眾偽啟群峰床汙洩秘吃衛',
  hk: '為着裏綫衆偽啓群峯牀污泄秘吃衞',
};

let simplifiedOnly: Set<string> | undefined;

/** Characters read to decide a document's script. */
const DETECTION_SAMPLE = 50_000;

/** `isSimplifiedOnly` of each BMP code unit (1: yes): pass one asks it of every character. */
let simplifiedOnlyUnits: Uint8Array | undefined;

/** True for a Simplified character that Traditional text writes differently (后, 并, 于, 么…). */
export function isSimplifiedOnly(char: string): boolean {
  if (char.length === 1) {
    simplifiedOnlyUnits ??= simplifiedOnlyTable();
    return simplifiedOnlyUnits[char.charCodeAt(0)] === 1;
  }
  return simplifiedOnlySet().has(char);
}

/** Whether any character of `text` is `isSimplifiedOnly`, without splitting it into characters. */
export function hasSimplifiedOnly(text: string): boolean {
  simplifiedOnlyUnits ??= simplifiedOnlyTable();
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (code >= 0xd800 && code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      // A character outside the BMP: asked whole.
      if (simplifiedOnlySet().has(text.slice(i, i + 2))) return true;
      i++;
    } else if (simplifiedOnlyUnits[code] === 1) return true;
  }
  return false;
}

function simplifiedOnlyTable(): Uint8Array {
  const table = new Uint8Array(0x10000);
  for (const char of simplifiedOnlySet()) if (char.length === 1) table[char.charCodeAt(0)] = 1;
  return table;
}

function simplifiedOnlySet(): Set<string> {
  if (!simplifiedOnly) {
    const { Locale } = OpenCC;
    // A Taiwan or Hong Kong standard form (群, 才, 核…) is never a leftover Simplified character.
    const regional = new Set([
      ...singleCharMap(Locale.from.tw ?? []).keys(),
      ...singleCharMap(Locale.from.hk ?? []).keys(),
      ...Object.values(REGIONAL_FORMS).join(''),
    ]);
    simplifiedOnly = new Set();
    for (const [simplified, traditional] of singleCharMap(Locale.from.cn ?? [])) {
      if (simplified !== traditional && !isTraditionalOnly(simplified) && !regional.has(simplified))
        simplifiedOnly.add(simplified);
    }
  }
  return simplifiedOnly;
}

export interface ScriptCounts {
  traditional: number;
  simplified: number;
  hant: number;
  tw: number;
  hk: number;
}

const TRADITIONAL = 1;
const SIMPLIFIED = 2;
const REGION_BITS = { hant: 4, tw: 8, hk: 16 } as const;

/** What a character counts towards, as bits. */
function markersOf(ch: string): number {
  let bits = isTraditionalOnly(ch) ? TRADITIONAL : isSimplifiedOnly(ch) ? SIMPLIFIED : 0;
  for (const region of ['hant', 'tw', 'hk'] as const)
    if (REGIONAL_FORMS[region].includes(ch)) bits |= REGION_BITS[region];
  return bits;
}

/** `markersOf` each BMP code unit: counting reads every character of a document. */
let markerTable: Uint8Array | undefined;

export function countScriptMarkers(text: string): ScriptCounts {
  if (!markerTable) {
    markerTable = new Uint8Array(0x10000);
    for (let code = 0; code < 0x10000; code++) markerTable[code] = markersOf(String.fromCharCode(code));
  }
  const counts: ScriptCounts = { traditional: 0, simplified: 0, hant: 0, tw: 0, hk: 0 };
  for (const ch of text) {
    const bits = ch.length === 1 ? (markerTable[ch.charCodeAt(0)] as number) : markersOf(ch);
    if (bits === 0) continue;
    if (bits & TRADITIONAL) counts.traditional++;
    else if (bits & SIMPLIFIED) counts.simplified++;
    for (const region of ['hant', 'tw', 'hk'] as const) if (bits & REGION_BITS[region]) counts[region]++;
  }
  return counts;
}

/**
 * `hans` unless Traditional-only characters outnumber Simplified-only ones; then the regional
 * standard whose own forms occur most (`hant` on a tie).
 */
export function detectScript(text: string): Script {
  // The first stretch of a document decides as well as all of it, at a fraction of the cost.
  const counts = countScriptMarkers(text.length > DETECTION_SAMPLE ? text.slice(0, DETECTION_SAMPLE) : text);
  if (counts.traditional <= counts.simplified) return 'hans';
  if (counts.tw > counts.hant && counts.tw >= counts.hk) return 'tw';
  if (counts.hk > counts.hant) return 'hk';
  return 'hant';
}
