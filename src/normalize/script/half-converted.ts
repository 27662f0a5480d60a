/**
 * Fault 5, half-converted script: `背后` in Traditional text is `背後`; `瞭解` in Simplified is `了解`.
 *
 * Character-by-character converters leave the one-to-many characters unconverted. In a
 * Traditional document, each Simplified-only character is replaced by what opencc-js's phrase-aware
 * conversion makes of its context; in a Simplified document, each Traditional-only character
 * (over-conversion by naive converters: 瞭, 傢) is folded back likewise. In either script, 壹 in
 * running prose is 一 (`prose-yi.ts`).
 */
import type { Script, StageOutput, TextRepair } from '../types.js';
import { hasTraditionalOnly } from './char-fold.js';
import { convertScript } from './convert.js';
import { hasSimplifiedOnly, isSimplifiedOnly } from './detect.js';
import { fixProseYi } from './prose-yi.js';

export function fixHalfConverted(text: string, script: Script): StageOutput {
  const converted = fixMixedScript(text, script);
  const yi = fixProseYi(converted.text, script);
  return yi.repairs.length === 0 ? converted : { ...yi, repairs: [...converted.repairs, ...yi.repairs] };
}

function fixMixedScript(text: string, script: Script): StageOutput {
  const traditional = script !== 'hans';
  // In Simplified text any character the Traditional→Simplified conversion changes is suspect
  // (瞭 is a Simplified character too, but not in 瞭解).
  const suspect = traditional ? isSimplifiedOnly : () => true;
  const worthConverting = traditional
    ? hasSimplifiedOnly(text)
    : hasTraditionalOnly(text) || text.includes('瞭');
  if (!worthConverting) return { text, repairs: [], flags: [] };
  const source = [...text];

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
  return { text: out.join(''), repairs, flags: [] };
}
