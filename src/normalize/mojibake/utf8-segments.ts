/**
 * UTF-8 read as Windows-1252 in part of a line only: a name or a phrase pasted from a UTF-8 source
 * into a page that is otherwise right (`ç¾Žç¾Ž逾期法務`: 美美 read byte by byte). The whole-line
 * hypotheses cannot undo it (the line's real Han has no Windows-1252 bytes), so each stretch of
 * characters Windows-1252 has is tried on its own, as ftfy fixes segments. A stretch is undone only
 * when its bytes are valid UTF-8 and make nothing but Han and CJK punctuation, at least two Han
 * characters (six bytes that happen to be UTF-8 are not chance in Latin text) or one against real
 * Han (`äº¬东`).
 */
import { encodeLatin1, LATIN1_HIGH_CHARS } from '../encoding/codecs.js';
import type { StageOutput, TextRepair } from '../types.js';

/** Three or more of the characters a Windows-1252 reader prints for bytes 0x80–0xFF. */
const STRETCH = new RegExp(
  `[${[...LATIN1_HIGH_CHARS].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}]{3,}`,
  'gu',
);
const HAN_OR_CJK_PUNCTUATION = /^[\p{Script=Han}\u3000-\u303f\uff01-\uff5e“”‘’…—]+$/u;
const HAN = /\p{Script=Han}/gu;
const UTF8 = new TextDecoder('utf-8', { fatal: true });
/** Valid UTF-8 of two or more Han characters is no accident of Latin text; one alone may be,
 * unless it stands against real Han (`äº¬东`: 京东), where no Latin word does. */
const MIN_HAN = 2;
const HAN_CHAR = /\p{Script=Han}/u;
const CONFIDENCE = 0.99;

function undoStretch(stretch: string, besideHan: boolean): string | undefined {
  const bytes = encodeLatin1(stretch);
  if (!bytes) return undefined;
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    return undefined;
  }
  if (!HAN_OR_CJK_PUNCTUATION.test(text)) return undefined;
  if ((text.match(HAN) ?? []).length < (besideHan ? 1 : MIN_HAN)) return undefined;
  return text;
}

/** `text` with each stretch of UTF-8 read as Windows-1252 undone; a repair for each. */
export function repairUtf8Stretches(text: string): StageOutput {
  const repairs: TextRepair[] = [];
  const out = text.replace(STRETCH, (stretch, at: number) => {
    const besideHan = HAN_CHAR.test(text[at - 1] ?? '') || HAN_CHAR.test(text[at + stretch.length] ?? '');
    const undone = undoStretch(stretch, besideHan);
    if (undone === undefined) return stretch;
    repairs.push({ kind: 'charset', before: stretch, after: undone, confidence: CONFIDENCE });
    return undone;
  });
  return { text: out, repairs, flags: [] };
}
