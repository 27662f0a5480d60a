/**
 * Fault 6, boilerplate and metadata in text dumps: the byline (`逾期法務 2024-10-02 23:26:37`), the
 * title repeated inside the body, the site's disclaimer, the takedown contact line, navigation
 * words and injected spam. Classification works on the Simplified fold of a line, so one table
 * serves both scripts.
 */
import { withoutSpacesInChinese } from './gaps.js';
import { toSimplifiedChars } from './script/char-fold.js';
import { TIME_IN_TEXT } from './time.js';

/** Whole lines that are site navigation, compared without spaces and punctuation. */
const NAVIGATION_LINES = new Set([
  '投诉',
  '举报',
  '相关推荐',
  '相关文章',
  '相关阅读',
  '最新文章',
  '随机看看',
  '热门文章',
  '热门推荐',
  '猜你喜欢',
  '推荐阅读',
  '延伸阅读',
  '精彩评论',
  '网友评论',
  '发表评论',
  '返回首页',
  '返回列表',
  '返回顶部',
  '分享到',
  '打印本页',
  '关闭窗口',
  '点击排行',
  '阅读全文',
  '展开全文',
  '收藏本文',
  '首页',
  '上一篇',
  '下一篇',
]);
const NAVIGATION_PREFIX = /^(上一篇|下一篇|标签|本文标签|关键词|责任编辑|分享到)[:：]/;
const DISCLAIMER = /^(免责)?声明[:：]|来源于网络|仅供参考|版权归原作者|不代表本站观点/;
const TAKEDOWN = /(侵权|删帖|删除).*(联系方式|邮箱|QQ|qq|@|\d{7,})/;
/** Injected ads carry a way to reach the advertiser; ad words alone (黑户, 口子) are also prose. */
const SPAM_CONTACT =
  /https?:\/\/|www\.|加微信|微信号|加[vV]信|[vV][xX][:：]|QQ群|[qQ]{2}[:：]?\s*\d{5,}|\d{7,}/;
const SPAM_WORDS =
  /https?:\/\/|www\.|加微信|微信号|加[vV]信|[vV][xX][:：]|QQ群|包下款|秒批|黑户|口子|代办|贷款/;

/** Headings that open an article and are never its title. */
const GENERIC_HEADINGS = /^(小编)?(导语|导读|摘要|前言|引言|目录|正文)$/;

/**
 * `逾期法務 2024-10-02 23:26:37`: a category (or author) and a time, alone on a line. The category
 * never starts with punctuation (`! 逾期法務 …` is text, and stays text once it reads `！逾期法務`).
 */
const BYLINE = new RegExp(
  `^(?:([^\\s!！?？。，,、；;：:）)】」』]\\S{0,19}?)\\s+)?(${TIME_IN_TEXT.source})\\s*$`,
);
const LABELLED_TIME = /^(发布|更新)?时间[:：]\s*(.+)$/;

export type LineRole = 'content' | 'navigation' | 'disclaimer' | 'takedown' | 'spam' | 'control';

// U+FFFC stands for a run the mojibake engine held out (`protected-runs.ts`): text, not a symbol.
const NOT_WORDS = /(?!\uFFFC)[\s\p{P}\p{S}]/gu;
/** Punctuation and spaces only: control-code residue and separators. */
const NOT_TEXT = /[\s\p{P}]/gu;
/** The same symbol again and again (`★★★★`, `====`): a separator, not text. */
const REPEATED_SYMBOL = /^(\p{S})\1{2,}$/u;

function bare(line: string): string {
  return toSimplifiedChars(line).replace(NOT_WORDS, '');
}

/** Boilerplate lines are short; anything longer is prose whatever words it contains. */
const MAX_BOILERPLATE_LENGTH = 200;

export function classifyLine(line: string): LineRole {
  if (line.length >= MAX_BOILERPLATE_LENGTH) return 'content';
  const folded = toSimplifiedChars(line).trim();
  // Symbols alone are text (`∆°`, `5×£35`): only punctuation, spaces or a separator are not.
  const symbols = folded.replace(NOT_TEXT, '');
  if (symbols.length === 0 || REPEATED_SYMBOL.test(symbols)) return 'control';
  const stripped = folded.replace(NOT_WORDS, '');
  if (NAVIGATION_LINES.has(stripped) || NAVIGATION_PREFIX.test(folded)) return 'navigation';
  if (DISCLAIMER.test(folded)) return 'disclaimer';
  if (TAKEDOWN.test(folded)) return 'takedown';
  if (SPAM_CONTACT.test(folded) && SPAM_WORDS.test(folded)) return 'spam';
  return 'content';
}

export interface Byline {
  category: string | null;
  time: string;
}

export function parseByline(line: string): Byline | undefined {
  // Judged as the line will read once the spaces inside Chinese are closed (between characters
  // and before punctuation alike), so that a second pass over the output decides the same
  // (`的\t逾期法務 2024-10-02 23:26:37`, `的\t）逾期法務 …`).
  const trimmed = withoutSpacesInChinese(line.trim());
  const byline = BYLINE.exec(trimmed);
  if (byline) return { category: byline[1] ?? null, time: byline[2] as string };
  const labelled = LABELLED_TIME.exec(toSimplifiedChars(trimmed));
  if (labelled && TIME_IN_TEXT.test(labelled[2] as string))
    return { category: null, time: labelled[2] as string };
  return undefined;
}

export function isGenericHeading(line: string): boolean {
  return GENERIC_HEADINGS.test(bare(line));
}

/** Two lines say the same once script, spaces and punctuation are set aside. */
export function sameLine(a: string, b: string): boolean {
  const left = bare(a);
  return left.length > 0 && left === bare(b);
}

/** A contact that identifies the site behind a text dump: the takedown line's phone, QQ or mail. */
export function siteContact(line: string): string | undefined {
  const contact = /[\w.+-]+@[\w-]+\.[\w.]+|\d{7,}/.exec(line);
  return contact?.[0];
}
