/**
 * Control-code residue: `_x0008_` (an OOXML escape that spreadsheet exports leave behind) and raw
 * C0 controls. Neither is ever text.
 */
import type { StageOutput, TextRepair } from './types.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this removes.
const RESIDUE = /_x[0-9A-Fa-f]{4}_|[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u200B\uFEFF]/g;

export function removeControlResidue(text: string): StageOutput {
  const repairs: TextRepair[] = [];
  const out = text.replace(RESIDUE, (match: string) => {
    repairs.push({ kind: 'html', before: match, after: '', confidence: 1 });
    return '';
  });
  return { text: out, repairs, flags: [] };
}
