/**
 * UTF-8 read as Windows-1252 in part of a line only: a name or a phrase pasted from a UTF-8 source
 * into a page that is otherwise right (`ç¾Žç¾Ž逾期法務`: 美美 read byte by byte). The whole-line
 * hypotheses cannot undo it (the line's real Han has no Windows-1252 bytes), so each stretch of
 * characters Windows-1252 has is tried on its own, as ftfy fixes segments. A stretch is undone only
 * when its bytes are valid UTF-8 and make nothing but Han and CJK punctuation, at least two Han
 * characters (six bytes that happen to be UTF-8 are not chance in Latin text) or one against real
 * Han (`äº¬东`). A stretch whose bytes a store cut short where Windows-1252 has no character
 * (`åŽï¼Œå¦‚`: 后 lost its 0x90) is put back by the model (`dropped-bytes.ts`) where it is sure, and
 * listed where it is not.
 */
import { encodeLatin1, LATIN1_HIGH_CHARS } from '../encoding/codecs.js';
import type { LanguageModel } from '../language-model.js';
import { roundConfidence } from '../probability.js';
import type { StageOutput, TextRepair, UnresolvedSpan } from '../types.js';
import {
  endsCutShort,
  isContinuation,
  noStrayBytes,
  refillDroppedBytes,
  SURE_DROPPED_BYTE,
  utf8Shaped,
} from './dropped-bytes.js';

/** A character a Windows-1252 reader prints for a byte of 0x80–0xFF. */
const HIGH = `[${[...LATIN1_HIGH_CHARS].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}]`;
/** Two or more of them, with the single spaces between them (a no-break space a store made a
 * space: `ä¼ 至` is 传至); three or more unless beside Han (`将å—到`: 受 lost its 0x8F). */
const STRETCH = new RegExp(`${HIGH}(?:${HIGH}| (?=${HIGH}))+`, 'gu');
const MIN_STRETCH = 3;
/**
 * What is left of UTF-8 read as Windows-1252 where a stretch could not be undone (`è` before a
 * character a store changed): a UTF-8 lead byte of Chinese (E0–EF, `à`–`ï`) with the readings of
 * other bytes around it.
 */
const RESIDUE = new RegExp(`(?:${HIGH}|[\u0100-\u07ff])*[\u00e0-\u00ef](?:${HIGH}|[\u0100-\u07ff])*`, 'gu');
const HAN_OR_CJK_PUNCTUATION = /^[\p{Script=Han}\u3000-\u303f\uff01-\uff5e“”‘’…— ]+$/u;
const HAN = /\p{Script=Han}/gu;
const UTF8 = new TextDecoder('utf-8', { fatal: true });
/** Valid UTF-8 of two or more Han characters is no accident of Latin text; one alone may be,
 * unless it stands against real Han (`äº¬东`: 京东), where no Latin word does. */
const MIN_HAN = 2;
const HAN_CHAR = /\p{Script=Han}/u;
const CONFIDENCE = 0.99;

/** Characters of the line either side of a stretch that the model reads with a dropped byte. */
const CONTEXT_CHARS = 6;

/** What a stretch's bytes make as UTF-8, some of them put back where they were dropped. */
function undoStretch(
  stretch: string,
  besideHan: boolean,
  lm: LanguageModel,
  context: { before: string; after: string },
): { text: string; confidence: number } | undefined {
  const bytes = encodeLatin1(stretch);
  if (!bytes) return undefined;
  let undone: { text: string; confidence: number } | undefined;
  try {
    undone = { text: UTF8.decode(bytes), confidence: CONFIDENCE };
  } catch {
    undone = refillDroppedBytes(bytes, lm, context);
  }
  if (!undone || !HAN_OR_CJK_PUNCTUATION.test(undone.text)) return undefined;
  if ((undone.text.match(HAN) ?? []).length < (besideHan ? 1 : MIN_HAN)) return undefined;
  return undone;
}

const bytesOf = (text: string) => encodeLatin1(text) ?? new Uint8Array();

/**
 * Where the stretch matched at `index` stands, its ends trimmed of the page's own punctuation that
 * Windows-1252 also has (`“` and `”` are its 0x93 and 0x94, continuation bytes that no UTF-8
 * character starts with, nor follows a whole one with: `çš„“安逸花` is 的“安逸花); a space after a
 * character cut short taken in, as the no-break space it lost (`ä¼ 至`: 传至).
 */
function stretchBounds(text: string, index: number, length: number): { start: number; end: number } {
  let start = index;
  let end = index + length;
  while (start < end && isContinuation(bytesOf(text[start] as string)[0])) start++;
  while (
    end - start > 1 &&
    !noStrayBytes(bytesOf(text.slice(start, end))) &&
    noStrayBytes(bytesOf(text.slice(start, end - 1)))
  )
    end--;
  if (text[end] === ' ' && endsCutShort(bytesOf(text.slice(start, end)))) end++;
  return { start, end };
}

/**
 * `text` with each stretch of UTF-8 read as Windows-1252 undone, a repair for each; a stretch
 * whose dropped bytes the model cannot put back surely is left as it is and listed.
 */
export function repairUtf8Stretches(
  text: string,
  lm: LanguageModel,
): StageOutput & { unresolved: UnresolvedSpan[] } {
  const repairs: TextRepair[] = [];
  const unresolved: UnresolvedSpan[] = [];
  let out = '';
  let at = 0;
  for (const match of text.matchAll(STRETCH)) {
    const { start, end } = stretchBounds(text, match.index as number, match[0].length);
    if (end <= start) continue;
    const stretch = text.slice(start, end);
    const besideHan = HAN_CHAR.test(text[start - 1] ?? '') || HAN_CHAR.test(text[end] ?? '');
    if (stretch.length < MIN_STRETCH && !besideHan) continue;
    const context = {
      before: text.slice(Math.max(0, start - CONTEXT_CHARS), start),
      after: text.slice(end, end + CONTEXT_CHARS),
    };
    const undone = undoStretch(stretch, besideHan, lm, context);
    out += text.slice(at, start);
    at = end;
    if (undone && undone.confidence >= SURE_DROPPED_BYTE) {
      repairs.push({
        kind: 'charset',
        before: stretch,
        after: undone.text,
        confidence: roundConfidence(undone.confidence),
      });
      out += undone.text;
    } else {
      // Offsets in code points, as the runs count them (`repairMojibake` reports UTF-16 units).
      // A stretch of Chinese UTF-8 that lost too many bytes to put back is listed too
      // (`ï¼Œäº§å“åå—`: 品, 名 and 字 each lost some).
      if (undone || utf8Shaped(bytesOf(stretch)))
        unresolved.push({
          kind: 'unrepaired-mojibake',
          start: [...out].length,
          end: [...out].length + [...stretch].length,
        });
      out += stretch;
    }
  }
  out += text.slice(at);
  // A line known to hold UTF-8 read as Windows-1252: what no stretch undid is listed too.
  if (repairs.length > 0 || unresolved.length > 0) listResidue(out, unresolved);
  return { text: out, repairs, flags: [], unresolved };
}

/** Adds to `unresolved` (code points, in order) each `RESIDUE` of `text` it does not cover yet. */
function listResidue(text: string, unresolved: UnresolvedSpan[]): void {
  const listed = [...unresolved];
  for (const match of text.matchAll(RESIDUE)) {
    const start = [...text.slice(0, match.index)].length;
    const end = start + [...match[0]].length;
    if (listed.some((u) => u.start < end && start < u.end)) continue;
    unresolved.push({ kind: 'unrepaired-mojibake', start, end });
  }
  unresolved.sort((a, b) => a.start - b.start);
}
