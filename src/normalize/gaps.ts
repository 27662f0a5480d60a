/**
 * Fault 3, detection only: words deleted by a site filter often leave a space where they stood
 * (`接到了“郵你貸”的 ，這背後`, `三、 背後的原因`). A space between two Han characters, or between Han
 * and Chinese punctuation, never belongs in Chinese prose; `1.1 產品概述` (numbering, space,
 * heading) and `APP 申请` are legitimate. The space is removed, its place kept as a marked gap and
 * the paragraph flagged `possible-gap`; restoring the word is the job of `deleted-words/` with the
 * source's profile, and a gap no word fills is listed with its place in the record's `unresolved`.
 *
 * Pages also put spaces where nothing was deleted (real pages showed as many of these as gaps):
 * after a label's colon or a sentence's end (`特别提示： 逾期后`, `蚂蚁？ 工资`), beside brackets
 * (`年利率 【第1页】`), after an article's number (`第一条 为适应`), and, on some sites, around
 * every punctuation mark (`资信状况 ，综合审核`). Those are closed like the others (recorded as a
 * repair) but are not gaps.
 */
import type { Gap, StageOutput, TextRepair } from './types.js';

const CJK = '\\p{Script=Han}\\u3000-\\u303f\\uff01-\\uff0f\\uff1a-\\uff20“”‘’…—';
const SPACE_IN_CHINESE = new RegExp(`([${CJK}])[ \\t\\u3000]+(?=[${CJK}])`, 'gu');
/** …or a filter's mask (`风险**工具`, `电话 *** 通常`, `不*于`): stars standing for what it cut. */
const SPACE_OR_MASK_IN_CHINESE = new RegExp(
  `([${CJK}])(?:[ \\t\\u3000]*\\*+[ \\t\\u3000]*|[ \\t\\u3000]+)(?=[${CJK}])`,
  'gu',
);
const MASK = new RegExp(`(?<=[${CJK}])[ \\t\\u3000]*\\*+[ \\t\\u3000]*(?=[${CJK}])`, 'gu');

/**
 * What closes the paragraph's gaps: spaces, and stars too where every run of them stands between
 * Chinese characters. A run elsewhere (`**重点**是`) is Markdown's, and the paragraph's stars are left.
 */
function gapPattern(text: string): RegExp {
  if (!text.includes('*')) return SPACE_IN_CHINESE;
  return text.replace(MASK, '').includes('*') ? SPACE_IN_CHINESE : SPACE_OR_MASK_IN_CHINESE;
}
/** A heading that ends on 的 lost the noun after it (`二、莫名其妙的`). */
const HEADING_ENDING_IN_DE = /^(?:[一二三四五六七八九十]+、|\d+(?:\.\d+)*\s)?\S{0,20}的$/u;

/** Marks after which a space is the page's layout: a label's colon, a sentence's end. */
const LAYOUT_AFTER = new Set(['：', '。', '！', '？', '；']);
/** Brackets, quotes and dashes a space beside is layout: `年利率 【第1页】`, `所谓 “以贷养贷”`, `后果 —— 罚息`. */
const OPENING = new Set(['【', '（', '「', '《', '『', '〔', '“', '‘', '—']);
const CLOSING = new Set(['】', '）', '」', '》', '』', '〕', '”', '’', '—']);
/** An article's or chapter's number just before the space: `第一条 为适应`, `第十二章 附则`. */
const NUMBERED_HEADING = /第[0-9０-９一二三四五六七八九十百千零〇两]+(?:[章节条款篇部项]|部分)$/u;
/** A numbered heading run into its paragraph: `1.1使用记录不佳 你的…` (the line so far). */
const NUMBERED_LEAD = /^\s*\d+(?:\.\d+)+\S{1,16}$/u;
/** A teaser's label set apart from its text by a space: `导读 在日常生活中…` (the line so far). */
const LEAD_LABEL = /^\s*(?:导读|導讀|摘要|提要|核心提示|导语|導語|编者按|編者按)$/u;
/** Chinese punctuation whose neighbouring spaces tell a page's habit. */
const MARKS = /[，。、；：！？]/gu;
const MARK = /^[，。、；：！？]$/u;
const SPACE = /^[ \t\u3000]$/u;
/** The next field of a row of them after the space: `来源：南宁晚报 所属分类：快讯`. */
const FIELD_LABEL = /^\p{Script=Han}{1,6}[：:]/u;

/** `text` with the spaces inside Chinese closed, as `closeMarkedGaps` closes them (no bookkeeping). */
export function withoutSpacesInChinese(text: string): string {
  return text.replace(gapPattern(text), '$1');
}

/**
 * Whether the paragraph spaces its punctuation as a habit: at least two marks with a space
 * beside them, and most of its marks so. A filter's gap is one space among unspaced marks.
 */
function spacesPunctuation(text: string): boolean {
  let marks = 0;
  let spaced = 0;
  for (const match of text.matchAll(MARKS)) {
    marks++;
    const at = match.index;
    if (SPACE.test(text[at - 1] ?? '') || SPACE.test(text[at + 1] ?? '')) spaced++;
  }
  return spaced >= 2 && spaced * 2 >= marks;
}

/** A table cell: short, and no sentence's punctuation. */
const CELL = /^[^，。、；！？,;!?]{1,12}$/u;
const FIGURE = /[0-9A-Za-z]/;
const MIN_CELLS = 4;
const MIN_HEADER_CELLS = 5;
/** A header or tag row of three short cells (`方法 优点 缺点`, `信用卡 逾期 征信`). */
const SHORT_CELL = /^[^，。、；！？,;!?]{1,4}$/u;
const MIN_SHORT_CELLS = 3;
const SECTION_NUMBER = /^(?:\d+(?:\.\d+)*[.、]?|[一二三四五六七八九十]+、|第.{1,4}[章节条部])$/u;

/**
 * Whether the paragraph is a table's row flattened into one line: four cells or more, two in three
 * of them clean, one with a figure (`甲財務 4.5% 500,000 84個月 網上申請，即日批核`), or five and
 * more all clean (`機構 參考年利率 最高貸款額 最長還款期 批核特點`), or three and more, all of them
 * short (`方法 优点 缺点`, a tag row). A filter's gaps cut sentences, whose pieces carry the
 * sentence's punctuation.
 */
function readsAsTableRow(text: string): boolean {
  const cells = text.trim().split(/[ \t\u3000]+/u);
  const clean = cells.filter((cell) => CELL.test(cell));
  if (clean.length >= MIN_HEADER_CELLS && clean.length === cells.length) return true;
  // A numbered heading (`4.1 识别 来源`, 电话 cut between) is not a row of cells.
  if (
    cells.length >= MIN_SHORT_CELLS &&
    !SECTION_NUMBER.test(cells[0] as string) &&
    cells.every((c) => SHORT_CELL.test(c))
  )
    return true;
  return (
    clean.length >= MIN_CELLS && clean.length * 3 >= cells.length * 2 && clean.some((c) => FIGURE.test(c))
  );
}

/** Whether a space between `left` and what follows it (`after`) is the page's layout, not a gap. */
function isLayoutSpace(before: string, left: string, after: string, punctuationSpaced: boolean): boolean {
  const right = after[0] ?? '';
  if (LAYOUT_AFTER.has(left) || CLOSING.has(left) || OPENING.has(right)) return true;
  if (NUMBERED_HEADING.test(before) || FIELD_LABEL.test(after)) return true;
  return punctuationSpaced && (MARK.test(left) || MARK.test(right));
}

export function closeMarkedGaps(text: string): StageOutput & { gaps: Gap[] } {
  const repairs: TextRepair[] = [];
  const gaps: Gap[] = [];
  // Read once, and only for a paragraph that has a space to judge.
  let punctuationSpaced: boolean | undefined;
  let tableRow: boolean | undefined;
  let removed = 0;
  const out = text.replace(gapPattern(text), (match: string, left: string, index: number) => {
    const next = text[index + match.length] ?? '';
    repairs.push({ kind: 'punctuation', before: `${match}${next}`, after: `${left}${next}`, confidence: 1 });
    const before = text.slice(Math.max(0, index - 11), index + left.length);
    const after = text.slice(index + match.length, index + match.length + 8);
    punctuationSpaced ??= spacesPunctuation(text);
    tableRow ??= readsAsTableRow(text);
    const lineSoFar = text.slice(0, index + left.length);
    const heading = NUMBERED_LEAD.test(lineSoFar) || LEAD_LABEL.test(lineSoFar);
    // Stars are never layout: each is a place a filter cut a word.
    const masked = match.includes('*');
    if (masked || (!tableRow && !heading && !isLayoutSpace(before, left, after, punctuationSpaced)))
      gaps.push({ offset: index - removed + left.length, evidence: 'marked' });
    removed += match.length - left.length;
    return left;
  });
  if (HEADING_ENDING_IN_DE.test(out)) gaps.push({ offset: out.length, evidence: 'unmarked' });
  return { text: out, repairs, flags: gaps.length > 0 ? ['possible-gap'] : [], gaps };
}
