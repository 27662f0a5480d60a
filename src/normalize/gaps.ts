/**
 * Fault 3, detection only: words deleted by a site filter often leave a space where they stood
 * (`接到了“郵你貸”的 ，這背後`, `三、 背後的原因`). A space between two Han characters, or between Han
 * and Chinese punctuation, never belongs in Chinese prose; `1.1 產品概述` (numbering, space,
 * heading) and `APP 申请` are legitimate. The space is removed, its place kept as a marked gap and
 * the paragraph flagged `possible-gap`; restoring the word is the job of `deleted-words/` with the
 * source's profile, and a gap no word fills is listed with its place in the record's `unresolved`.
 */
import type { Gap, StageOutput, TextRepair } from './types.js';

const CJK = '\\p{Script=Han}\\u3000-\\u303f\\uff01-\\uff0f\\uff1a-\\uff20“”‘’…—';
const SPACE_IN_CHINESE = new RegExp(`([${CJK}])[ \\t\\u3000]+(?=[${CJK}])`, 'gu');
/** A heading that ends on 的 lost the noun after it (`二、莫名其妙的`). */
const HEADING_ENDING_IN_DE = /^(?:[一二三四五六七八九十]+、|\d+(?:\.\d+)*\s)?\S{0,20}的$/u;

/** `text` with the spaces inside Chinese closed, as `closeMarkedGaps` closes them (no bookkeeping). */
export function withoutSpacesInChinese(text: string): string {
  return text.replace(SPACE_IN_CHINESE, '$1');
}

export function closeMarkedGaps(text: string): StageOutput & { gaps: Gap[] } {
  const repairs: TextRepair[] = [];
  const gaps: Gap[] = [];
  let removed = 0;
  const out = text.replace(SPACE_IN_CHINESE, (match: string, left: string, index: number) => {
    const next = text[index + match.length] ?? '';
    repairs.push({ kind: 'punctuation', before: `${match}${next}`, after: `${left}${next}`, confidence: 1 });
    gaps.push({ offset: index - removed + left.length, evidence: 'marked' });
    removed += match.length - left.length;
    return left;
  });
  if (HEADING_ENDING_IN_DE.test(out)) gaps.push({ offset: out.length, evidence: 'unmarked' });
  return { text: out, repairs, flags: gaps.length > 0 ? ['possible-gap'] : [], gaps };
}
