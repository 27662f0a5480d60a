/**
 * Metadata lines: a byline or a counter line is a row of labelled fields (`时间:01-17人气:21作者:某`,
 * `2022年03月16日 10:49:56 来源: 某报 所属分类:快讯 编辑:某 阅读:`, `发表于 2011-7-18 12:19:33 |
 * 显示全部楼层`), or a time with a name before it (`逾期法務 2024-10-02 23:26:37`). A line is one
 * when nothing but fields, times, separators and forum widgets is left of it: a sentence that
 * mentions a time or says `来源：` in passing is not. Read on the Simplified fold of the line.
 */
import { withoutSpacesInChinese } from '../gaps.js';
import { toSimplifiedChars } from '../script/char-fold.js';
import { RELATIVE_TIME, TIME_IN_TEXT } from '../time.js';

export interface MetaLine {
  /** The time as printed (`2024-10-02 23:26:37`), when the line shows one with its year. */
  time: string | null;
  /** A category the line names: a `分类：`/`栏目：` field, or the name before a bare time. */
  category: string | null;
  /** How many labelled fields the line holds. */
  fields: number;
  /** It shows a time, full or relative (`时间:01-17`): a post's byline, not a counter row. */
  dated: boolean;
  /** A time printed relative to the fetch, when the line shows no full one: without its year
   * (`01-17`, `01-17 09:30`) or counted back (`3天前`, `昨天 12:30`). */
  relativeTime?: string;
}

// Longest first: `发布日期` before `日期`, `浏览次数` before `浏览`.
const LABELS = [
  '发布时间',
  '发表时间',
  '更新时间',
  '上传时间',
  '提问时间',
  '回答时间',
  '发布日期',
  '更新日期',
  '发表日期',
  '所属分类',
  '所属栏目',
  '责任编辑',
  '文档序号',
  '浏览次数',
  '点击次数',
  '阅读次数',
  '点击量',
  '浏览量',
  '阅读量',
  '阅读数',
  '评论数',
  '发布者',
  '发布人',
  '原作者',
  '时间',
  '日期',
  '来源',
  '稿源',
  '出处',
  '作者',
  '编辑',
  '小编',
  '博主',
  '投稿',
  '人气',
  '点击',
  '浏览',
  '阅读',
  '评论',
  '热度',
  '分类',
  '栏目',
  '类别',
  '字号',
  '查看',
  '回复',
];
const TIME_LABELS = new Set(LABELS.filter((l) => /时间|日期/.test(l)));
const CATEGORY_LABELS = new Set(['所属分类', '所属栏目', '分类', '栏目', '类别']);
/** `标签：` ends a field row too: on news pages the tag list follows the byline. */
const LABEL = new RegExp(
  `(${LABELS.join('|')})\\s*[:：]|(发表于|发布于)(?=\\s*(?:\\d|刚|今天|昨天|前天))`,
  'g',
);
/** What a field's value never holds: the punctuation of a sentence, or another label's colon. */
const NOT_A_VALUE = /[。！？，；!?;：]/;
const MAX_VALUE = 30;
/** Forum widgets printed in the post's byline row. */
const FORUM_WIDGETS =
  /显示全部楼层|阅读模式|只看该作者|只看楼主|电梯直达|倒序浏览|楼主|沙发|板凳|复制链接|打印|举报/g;
/** The page's Simplified/Traditional switch, printed beside the byline's time. */
const SCRIPT_SWITCH = /简体\s*[|｜丨/]\s*繁[體体]|繁[體体]\s*[|｜丨/]\s*简体/g;
const SEPARATORS = /[\s|｜丨/·•、\-–—()（）[\]【】]/g;
/** A separator's icon the page's charset lacked (`静妹 ? 更新时间`, `?阅读`): lost to `?` after a
 * space, where no sentence's question mark stands. */
const LOST_SEPARATOR = /(?<=\s)[?\uFFFD]+/g;
/** A date without its year (`01-17`), printed by mobile pages: a field value, never a time here. */
const MONTH_DAY = /^\d{1,2}-\d{1,2}(?:\s+\d{1,2}:\d{2})?$/;
const MONTH_DAY_AT = /^\d{1,2}-\d{1,2}(?:\s+\d{1,2}:\d{2})?/;

/** The time a time field's value prints relative to the fetch (`01-17`, `3天前`), if that is what it holds. */
function relativeTimeOf(value: string): string | undefined {
  const relative = RELATIVE_TIME.exec(value);
  if (relative) return relative[0];
  return MONTH_DAY.test(value.replace(/\s.*$/, '')) ? MONTH_DAY_AT.exec(value)?.[0] : undefined;
}
const BARE_BYLINE = new RegExp(
  `^(?:([^\\s!！?？。，,、；;：:）)】」』][^\\s:：]{0,19}?)\\s+)?(${TIME_IN_TEXT.source})\\s*$`,
);
/** A numeric date with the section's names glued after it (`2025-09-19网贷问答网贷黑名单`): a
 * byline; a date in words (`2026年1月1日起施行`) is a sentence's. */
const DATE_THEN_NAMES = /^(\d{4}-\d{1,2}-\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?)\s*\p{Script=Han}{2,16}$/u;
/** `文 / 某某`: the writer's name under a headline. */
const WRITTEN_BY = /^文\s*[/／]\s*[^\s，。,.!?！？]{1,12}$/u;
/** Counter labels a byline prints without their count (`2024-08-28 18:28:26 瀏覽 作者:…`). */
const BARE_COUNTER_LABEL = /^(浏览|阅读|点击|评论|人气)$/;
const POSTED = /(发布|发表|更新|上传)于$/;
/** The longest a metadata line is: a row of fields, never a paragraph. */
const MAX_LINE = 160;

/** The line's labelled fields, the time and the category it shows; undefined for any other line. */
export function readMetaLine(line: string): MetaLine | undefined {
  // Judged as the line will read once the spaces inside Chinese are closed (between characters
  // and before punctuation alike), so that a second pass over the output decides the same.
  const trimmed = withoutSpacesInChinese(
    line.replace(SCRIPT_SWITCH, ' ').replace(LOST_SEPARATOR, ' ').trim(),
  );
  if (trimmed.length === 0 || trimmed.length > MAX_LINE) return undefined;
  const folded = toSimplifiedChars(trimmed);
  const bare = BARE_BYLINE.exec(trimmed);
  // `某某 发布于 2024-…`: the name before `发布于` is the author's.
  if (bare)
    return {
      time: bare[2] as string,
      // A list's bullet before the time (`- 2025年11月25日`) names nothing.
      category: bare[1] && !POSTED.test(bare[1]) && /\p{L}/u.test(bare[1]) ? bare[1] : null,
      fields: 0,
      dated: true,
    };

  const glued = DATE_THEN_NAMES.exec(trimmed);
  if (glued) return { time: glued[1] as string, category: null, fields: 0, dated: true };
  if (WRITTEN_BY.test(trimmed)) return { time: null, category: null, fields: 1, dated: false };

  const labels = [...folded.matchAll(LABEL)];
  const first = labels[0];
  if (!first || first.index === undefined) return undefined;
  // Before the first label: nothing, a time, or a name set apart by a space (`逾期法務 …`);
  // `还款日期：` is a sentence's own words glued to the label.
  const prefix = folded.slice(0, first.index);
  const prefixTime = TIME_IN_TEXT.exec(prefix);
  const prefixRest = (prefixTime ? prefix.replace(prefixTime[0], ' ') : prefix).trim();
  const counterLabel = BARE_COUNTER_LABEL.test(prefixRest);
  if (
    prefixRest.length > 0 &&
    !counterLabel &&
    (!/\s$/.test(prefix) || prefixRest.length > 12 || NOT_A_VALUE.test(prefixRest))
  )
    return undefined;
  let time: string | null = prefixTime ? prefixTime[0] : null;
  let category: string | null = null;
  let timeFields = 0;
  let relativeTime: string | undefined;
  for (const [i, match] of labels.entries()) {
    const start = (match.index as number) + match[0].length;
    const end = labels[i + 1]?.index ?? folded.length;
    const value = folded.slice(start, end).replace(FORUM_WIDGETS, ' ').trim();
    if (value.length > MAX_VALUE || NOT_A_VALUE.test(value.replace(/^[:：]/, ''))) return undefined;
    const label = match[1] ?? match[2] ?? '';
    const valueTime = TIME_IN_TEXT.exec(value);
    if (TIME_LABELS.has(label) || match[2]) {
      // A time field holds a time (with or without its year), nothing else of substance.
      const rest = valueTime ? value.replace(valueTime[0], '') : value;
      const relative = valueTime ? undefined : relativeTimeOf(value);
      if (!valueTime && !relative) return undefined;
      relativeTime ??= relative;
      if (rest.replace(SEPARATORS, '').length > 12) return undefined;
      timeFields++;
    }
    if (valueTime && time === null) time = valueTime[0];
    // The Simplified fold: the record's category is converted to the target script downstream.
    if (CATEGORY_LABELS.has(label) && value && category === null) category = value;
  }
  // One field alone is a byline only when it is a time, or a source or author line, or comes after
  // a time (`2022-08-20 11:36:56  浏览:33`).
  if (
    labels.length === 1 &&
    timeFields === 0 &&
    prefixTime === null &&
    !/^(来源|稿源|出处|作者|责任编辑|编辑|博主)$/.test(first[1] ?? '')
  )
    return undefined;
  // A name in Latin letters before the fields is a user's (`HaLaYe 发布时间:…`), not a section's.
  if (
    prefixRest &&
    /\p{Script=Han}/u.test(prefixRest) &&
    !counterLabel &&
    category === null &&
    time !== null &&
    !first[2]
  )
    category = prefixRest;
  const meta: MetaLine = { time, category, fields: labels.length, dated: time !== null || timeFields > 0 };
  if (time === null && relativeTime) meta.relativeTime = relativeTime;
  return meta;
}
