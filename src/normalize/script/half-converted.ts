/**
 * Fault 5, half-converted script: `背后` in Traditional text is `背後`; `瞭解` in Simplified is `了解`.
 *
 * Character-by-character converters leave the one-to-many characters unconverted. In a
 * Traditional document, each Simplified-only character is replaced by what opencc-js's phrase-aware
 * conversion makes of its context; in a Simplified document, each Traditional-only character
 * (over-conversion by naive converters: 瞭, 傢) is folded back likewise.
 */
import type { Script, StageOutput, TextRepair } from '../types.js';
import { isTraditionalOnly } from './char-fold.js';
import { convertScript } from './convert.js';
import { isSimplifiedOnly } from './detect.js';

/** `壹` as a plain "one" in running text (not in amounts written in financial numerals). */
const PLAIN_YI = /壹(?=[个個些般直起样樣定次天种種份边邊])/g;

export function fixHalfConverted(text: string, script: Script): StageOutput {
  const source = [...text];
  const traditional = script !== 'hans';
  // In Simplified text any character the Traditional→Simplified conversion changes is suspect
  // (瞭 is a Simplified character too, but not in 瞭解).
  const suspect = traditional ? isSimplifiedOnly : () => true;
  const worthConverting = traditional
    ? source.some(isSimplifiedOnly)
    : source.some(isTraditionalOnly) || text.includes('瞭');
  if (!worthConverting && !text.includes('壹')) return { text, repairs: [], flags: [] };

  const converted = [
    ...(traditional ? convertScript(text, 'hans', script) : convertScript(text, 'hant', 'hans')),
  ];
  // Conversions are character for character; anything else is a case we do not understand.
  if (converted.length !== source.length) return { text, repairs: [], flags: [] };

  const repairs: TextRepair[] = [];
  const out: string[] = [];
  for (let i = 0; i < source.length; i++) {
    const ch = source[i] as string;
    const replacement = converted[i] as string;
    if (replacement !== ch && suspect(ch)) {
      repairs.push({ kind: 'script', before: ch, after: replacement, confidence: 0.95 });
      out.push(replacement);
    } else out.push(ch);
  }
  let result = out.join('');
  if (!traditional) {
    result = result.replace(PLAIN_YI, () => {
      repairs.push({ kind: 'script', before: '壹', after: '一', confidence: 0.9 });
      return '一';
    });
  }
  return { text: result, repairs, flags: [] };
}
