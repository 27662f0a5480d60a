/**
 * What a line of a page is by its shape alone: navigation, a breadcrumb, a byline, a share or
 * comment widget, a copyright, disclaimer or takedown line, an ad. Shapes are whole-line: a
 * sentence that merely holds one of these words (`仅供参考`, a URL, `来源：`) is text.
 *
 * `strong` shapes are chrome wherever they stand; `weak` ones (a bare number, a contact line, a
 * row of names) only outside the article's prose, where the page model (`page-model.ts`) puts them.
 * Classification works on the Simplified fold of a line, so one table serves both scripts.
 */
import { withoutSpacesInChinese } from '../gaps.js';
import { toSimplifiedChars } from '../script/char-fold.js';
import { readMetaLine } from './fields.js';

export type StrongShape =
  | 'navigation'
  | 'breadcrumb'
  | 'byline'
  | 'widget'
  | 'copyright'
  | 'disclaimer'
  | 'takedown'
  | 'spam'
  | 'caption'
  | 'control';
export type WeakShape = 'counter' | 'contact' | 'names' | 'keywords';
export type Shape = StrongShape | WeakShape;

/** Whole lines that are site navigation or section labels, compared without spaces and punctuation. */
const NAVIGATION_LINES = new Set(
  (
    '投诉 举报 相关推荐 相关文章 相关阅读 相关内容 相关问题 相关搜索 相关资讯 最新文章 最新资讯 随机看看 热门文章 ' +
    '热门推荐 热点推荐 热点新闻 热门资讯 猜你喜欢 推荐阅读 延伸阅读 精彩评论 网友评论 发表评论 发表意见 最新评论 ' +
    '返回首页 返回列表 返回顶部 分享到 打印本页 关闭窗口 点击排行 阅读全文 展开全文 收起全文 收藏本文 首页 上一篇 下一篇 ' +
    '正文 问题 回答 提问 最佳答案 满意答案 其他回答 网友回答 全部回答 我来回答 查看更多 加载更多 更多 广告 ' +
    '找回密码 立即注册 登录 注册 扫一扫 切换城市 网站导航 网站地图 站点地图 联系我们 关于我们 设为首页 加入收藏 ' +
    '会员登录 免费注册 帮助中心 意见反馈 最新推荐 热门推荐 相关帖子 相关文档 下载文档 相关下载 热门帖子 热门问题 相关标签 ' +
    '点击展开全文 阅读下一篇 阅读上一篇 更多精彩资讯 热搜 热搜榜 方法步骤 此专题下没有文章 ' +
    '相关新闻 在线咨询 在线客服 热门标签 热门搜索 大家都在搜 回列表 返回 文章正文 正文内容 ' +
    // Site builders' own widget text, kept in English by Chinese pages (compared in lower case).
    'selectpage topofpage backtotop skiptocontent skiptomaincontent'
  ).split(' '),
);
/** Words of a navigation bar (`| 會員登錄 | 站點地圖 | 聯系我們 |`). */
const NAV_WORDS = new Set([
  ...NAVIGATION_LINES,
  '投稿',
  '帮助',
  '客服',
  '下载APP',
  'APP下载',
  '手机版',
  '首页',
]);
/** `某某相关经验`, `某某相关文章`: the heading of a list of links about the article's subject. */
const RELATED_HEADING = /相关(经验|文章|阅读|推荐|问题|内容|资讯|知识|问答|帖子|下载)$/;
const NAVIGATION_PREFIX =
  /^(上一篇|下一篇|上一页|下一页|阅读下一篇|阅读上一篇|标签|本文标签|tags?|分享到|本文链接|原文链接|本文地址|热搜|热门搜索|大家都在搜)\s*[:：]/i;
const BREADCRUMB_LABEL = /^(当前位置|您的位置|您现在的位置|你的位置|现在位置|所在位置|位置)\s*[:：]/;
const BREADCRUMB_SEPARATOR = /\s*(?:>>|>|＞|»|›|→)\s*/;
/** A share, comment or reading widget: every token of the line is one of these, with a count. */
const WIDGET_TOKEN =
  /^(分享|分享到|收藏|点赞|赞|踩|评论|写评论|查看评论|发表评论|发表意见|举报|复制链接|展开|展开全文|阅读全文|收起|打开APP|打开APP阅读|APP内打开|打开APP查看|扫一扫|扫码|关注|加关注|已关注|打印|打印本页|关闭|关闭窗口|返回顶部|字号|大|中|小|转发|微信|微博|QQ空间|QQ好友|朋友圈|纠错|我要纠错|分享至)[(（]?\d*[)）]?$/i;
/** `©` alone is a symbol of the text (`[x] ©`); with a year or an owner it is a copyright line. */
const COPYRIGHT =
  /copyright|版权所有|all rights reserved|icp[备证]|备案号|公网安备|©\s*\d{4}|\d{4}\s*©|\(c\)\s*\d{4}|©.*(版权|网|公司|银行|站)/i;
/** Opens a disclaimer: `声明：`, `免责声明：`, `风险提示：`. */
const DISCLAIMER_OPENING =
  /^(免责|特别|郑重|版权|法律)?声明\s*[:：]|^风险提示\s*[:：]|^温馨提示\s*[:：].*(本站|本网|本平台|仅供参考)/;
/** The site speaking of itself, and of rights and responsibility: terms, not article. */
const SITE_SELF = /本站|本网|本网站|本平台|本号|本公众号|该网站/;
const RIGHTS_WORDS = /观点|立场|版权|侵权|转载|留言|来源于网络|来自网络|不承担|不代表|删除|权利/;
const TAKEDOWN = /(侵权|删帖|删除).*(联系方式|邮箱|QQ|qq|@|\d{7,})/;
/** `如有侵权请联系删除`: alone on a line, or said by the site of itself; in a sentence it is quoted. */
const TAKEDOWN_ASK = /如(有|涉及|涉)?侵权.{0,12}(删除|联系)/;
const MAX_BARE_TAKEDOWN = 24;
/**
 * Injected ads: a way to reach the advertiser and an ad's promise, in a short line. Either alone
 * is prose (a URL in a sentence, `黑户` in an article about them).
 */
const SPAM_CONTACT =
  /https?:\/\/|www\.|加微信|微信号|加[vV]信|[vV][xX][:：]|QQ群|[qQ]{2}[:：]?\s*\d{5,}|\d{7,}/;
const SPAM_WORDS = /包下款|秒批|秒下|黑户|口子|代办|下款|放款快|无视征信|急用钱|低息|免抵押/;
const MAX_SPAM_LENGTH = 60;
/** A page title stuffed with keywords: `某官方网站,某,某APP下载`, `某网--某社区- 某论坛`. */
const SEO_WORDS = /官方网站|官网|app下载|下载|论坛|社区|网站|网$/i;
const HASHTAG_TOPIC = /^#[^#]{2,40}#$/;
/**
 * Black-hat SEO text injected into hacked pages: adult-site keyword lists (`久久精品…一区二区`) and
 * link-farm templates (`蜘蛛池`). Two such terms, or 蜘蛛池, make the line spam: finance prose uses
 * none of these compounds (国产 or 欧美 alone are not among them).
 */
const SEO_SPAM_TERMS =
  /无码|一区二区|久久精品|精品视频|午夜|成人网站|成人视频|男人网站|亚洲精品|国产精品|欧美日韩|日韩精品|在线观看|蜘蛛池|性[xX]{2,}|淫|婬|毛片|一级特黄|人妻|麻豆/g;
const MAX_SEO_SPAM_LENGTH = 400;

function isSeoSpam(folded: string): boolean {
  if (folded.length > MAX_SEO_SPAM_LENGTH) return false;
  const terms = new Set(folded.match(SEO_SPAM_TERMS) ?? []);
  return terms.size >= 2 || terms.has('蜘蛛池');
}

/** An image's alt text, numbered (`标题  第1张`). */
const NUMBERED_PICTURE = /^.{2,60}\s第\s*\d{1,3}\s*张$/;
/** An image's caption: `上图为…`, `（图片来源：…）`. */
const CAPTION =
  /^(上图|下图|如图|图片|图源|图)(为|来源|来自|源于|[:：])|^[(（](图片来源|图源|来源|图)[:：].{0,30}[)）]$|^[▲△]?[(（]?(资料图片?|示意图片?|配图)[)）]?$/;
/** A bracketed picture credit, which says more than a caption does: `（图片来源网络，侵删）`. */
const PICTURE_CREDIT = /^[(（](图片来源|图片来自|图片源于|图源)[^()（）。！？]{0,12}[)）]$/;
/** A view count alone: `226人看过`, `3.4万人浏览`, `100次浏览`, `浏览量12`. */
const VIEWS =
  /^(?:\d+(?:\.\d+)?[万wWkK]?[人次](看过|浏览过?|阅读过?|已读|关注|点击)|(浏览|阅读|点击)(量|次数)?\s*\d+(?:\.\d+)?[万wWkK]?次?)$/;
/** How long the article takes to read: `读毕需时 3 分钟`, `阅读时间：5分钟`. */
const READING_TIME = /^[-•·]?\s*(读毕需时|阅读时间|阅读需要|预计阅读|阅读约需)\s*[:：]?\s*\d+\s*分钟$/;
const CONTACT =
  /^(全国|免费)?(咨询|服务|客服|联系|投诉|举报)?(热线|电话|手机|qq|q q|微信|邮箱|e-?mail|地址|传真)\s*[:：]/i;
const KEYWORDS = /^(关键词|关键字)\s*[:：]/;
const NAMES = /^\p{Script=Han}{2,4}(?:\s+\p{Script=Han}{2,4}){1,5}$/u;
/** `第一章  总则`: a numbered heading, not names. */
const NUMBERED_PART = /^第.{1,4}[章节条篇部]|[章节条篇]$/;
/** A bare count (`3`), or a name or two and their counts (`某某网 38 2`, `admin 110 0`, `某某 某栏目 31 0`). */
const COUNTER = /^(?:(?:\p{Script=Han}{2,10}|[A-Za-z][\w.-]{1,19})\s+){0,2}\d{1,7}(?:\s+\d{1,7}){0,2}$/u;

// U+FFFC stands for a run the mojibake engine held out (`protected-runs.ts`): text, not a symbol.
const NOT_WORDS = /(?!\uFFFC)[\s\p{P}\p{S}]/gu;
/** Punctuation and spaces only: control-code residue and separators. */
const NOT_TEXT = /[\s\p{P}]/gu;
/** The same symbol again and again (`★★★★`, `====`): a separator, not text. */
const REPEATED_SYMBOL = /^(\p{S})\1{2,}$/u;
/** An opening or closing mark alone is half of a sentence broken across lines (`《` / `民法典》…`). */
const BROKEN_SENTENCE_MARK = /[《》「」『』“”‘’（）()【】〈〉]/;

/** Chrome lines are short; anything longer is prose whatever words it contains. */
const MAX_CHROME_LENGTH = 200;
const SENTENCE = /[。！？!?；;]/;

export function foldLine(line: string): string {
  return toSimplifiedChars(withoutSpacesInChinese(line.trim()));
}

export function bareWords(line: string): string {
  return toSimplifiedChars(line).replace(NOT_WORDS, '');
}

/** Segments split by `separator`, trimmed, none empty. */
function segments(line: string, separator: RegExp): string[] {
  return line
    .split(separator)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** `当前位置：首页 > 理财 > 正文`, `桂视网>新闻>正在查看`: the trail's sections, or undefined. */
export function breadcrumbTrail(line: string, folded = foldLine(line)): string[] | undefined {
  if (folded.length > 120) return undefined;
  const labelled = BREADCRUMB_LABEL.exec(folded);
  const rest = labelled ? folded.slice(labelled[0].length) : folded;
  const bySymbol = segments(rest, BREADCRUMB_SEPARATOR);
  // With a label, ` - ` and ` / ` separate sections too (`當前位置:某網 - 法律諮詢 - 標題`).
  const parts = labelled && bySymbol.length < 2 ? segments(rest, /\s+[-–—/_|]\s+|\s*[-–—]{2}\s*/) : bySymbol;
  if (!labelled && bySymbol.length < 3) return undefined;
  if (parts.some((p) => p.length > 40)) return undefined;
  // The last section may be the article's title, question mark and all; the others are names.
  if (parts.slice(0, -1).some((p) => SENTENCE.test(p) || /[，,]/.test(p))) return undefined;
  return labelled || parts.length >= 2 ? parts : undefined;
}

function isNavigationBar(spaced: string): boolean {
  const parts = segments(spaced, /\s*[|｜丨·•]\s*|\s{2,}/);
  if (parts.length < 3) return false;
  const nav = parts.filter((p) => NAV_WORDS.has(p.replace(NOT_WORDS, '')));
  return nav.length * 3 >= parts.length * 2;
}

function isWidgetRow(spaced: string): boolean {
  const tokens = segments(spaced, /[\s|｜·•【】[\]]+/);
  return tokens.length > 0 && tokens.every((t) => WIDGET_TOKEN.test(t));
}

function isStuffedTitle(folded: string): boolean {
  if (SENTENCE.test(folded)) return false;
  const byComma = segments(folded, /[,，]/);
  const byDash = segments(folded, /\s*(?:--|—|-|_|\|)\s*/);
  const parts = byComma.length >= 3 ? byComma : byDash;
  if (parts.length < 3 || parts.some((p) => p.length > 24)) return false;
  return parts.filter((p) => SEO_WORDS.test(p)).length >= 2;
}

function isDisclaimer(folded: string): boolean {
  if (DISCLAIMER_OPENING.test(folded)) return true;
  return SITE_SELF.test(folded) && RIGHTS_WORDS.test(folded) && folded.length <= 160;
}

/** A trail's last section may be a title with clauses in it: such a line is read as a whole. */
const MAY_BE_TRAIL = /[>＞»›→]|位置/;

/** Clauses in a longer line: a sentence (`。`/`；` inside it, or two clauses or more). */
function isSentenceLike(folded: string): boolean {
  if (folded.length < 30) return false;
  const inner = folded.slice(0, -1);
  return /[。；]/.test(inner) || (inner.match(/[，！？]/g)?.length ?? 0) >= 2;
}

/** The site telling an old browser's user to change it (`浏览提示：您当前使用的浏览器为旧版…`). */
const BROWSER_NOTICE =
  /浏览器.{0,40}(旧版|版本过低|版本太低|不兼容|升级|改用|更换)|(旧版|低版本).{0,10}浏览器/;
const MAX_BROWSER_NOTICE = 120;

/** Takedown, disclaimer, copyright and ad lines: the shapes a sentence can have. */
function noticeShape(folded: string): Shape | undefined {
  if (BROWSER_NOTICE.test(folded) && folded.length <= MAX_BROWSER_NOTICE) return 'disclaimer';
  if (TAKEDOWN.test(folded)) return 'takedown';
  if (TAKEDOWN_ASK.test(folded) && (folded.length <= MAX_BARE_TAKEDOWN || SITE_SELF.test(folded)))
    return 'takedown';
  if (isDisclaimer(folded)) return 'disclaimer';
  if (COPYRIGHT.test(folded) && folded.length <= 120) return 'copyright';
  if (SPAM_CONTACT.test(folded) && SPAM_WORDS.test(folded) && folded.length <= MAX_SPAM_LENGTH) return 'spam';
  return undefined;
}

/** Characters of lines whose shape is remembered before the memo starts afresh (see `SEGMENT_MEMO_CHARS` in `language-model.ts`). */
const SHAPE_MEMO_CHARS = 100_000;
/** Shapes already read (null: text): a site's template lines, and copied pages, repeat. */
const shapes = new Map<string, Shape | null>();
let shapeChars = 0;

/** The line's shape, or undefined for text. */
export function lineShape(line: string): Shape | undefined {
  if (line.length >= MAX_SEO_SPAM_LENGTH) return undefined;
  const known = shapes.get(line);
  if (known !== undefined) return known ?? undefined;
  const shape = shapeOf(line);
  if (shapeChars + line.length > SHAPE_MEMO_CHARS) {
    shapes.clear();
    shapeChars = 0;
  }
  shapes.set(line, shape ?? null);
  shapeChars += line.length;
  return shape;
}

function shapeOf(line: string): Shape | undefined {
  // Folded once: bars and widget rows are told apart by their spaces (`spaced`), the rest is read
  // as the line will read once the spaces inside Chinese are closed (`folded`).
  const spaced = toSimplifiedChars(line.trim());
  const folded = withoutSpacesInChinese(spaced);
  if (isSeoSpam(folded)) return 'spam';
  if (line.length >= MAX_CHROME_LENGTH) return undefined;
  // Symbols alone are text (`∆°`, `5×£35`): only punctuation, spaces or a separator are not.
  if (!hasHan(folded, 1)) {
    const symbols = folded.replace(NOT_TEXT, '');
    if (symbols.length === 0) return BROKEN_SENTENCE_MARK.test(folded) ? undefined : 'control';
    if (REPEATED_SYMBOL.test(symbols)) return 'control';
  }
  // A sentence can only be a notice (takedown, disclaimer, copyright) or an ad: the row shapes
  // (bars, widgets, breadcrumbs, field rows) never hold clauses. Most lines of a page end here.
  if (PICTURE_CREDIT.test(folded)) return 'caption';
  if (isSentenceLike(folded) && !MAY_BE_TRAIL.test(folded)) return noticeShape(folded);
  const stripped = folded.replace(NOT_WORDS, '').toLowerCase();
  if (NAVIGATION_LINES.has(stripped) || NAVIGATION_PREFIX.test(folded)) return 'navigation';
  if (RELATED_HEADING.test(stripped) && stripped.length <= 30) return 'navigation';
  if (isNavigationBar(spaced)) return 'navigation';
  if (isWidgetRow(spaced)) return 'widget';
  if (HASHTAG_TOPIC.test(folded)) return 'navigation';
  if (breadcrumbTrail(line, folded)) return 'breadcrumb';
  // Every field row has a label's colon or a time's digits (or is a writer's `文 / 某某`).
  if (/[\d:：]|^文\s*[/／]/.test(folded) && readMetaLine(line)) return 'byline';
  const notice = noticeShape(folded);
  if (notice) return notice;
  if (isStuffedTitle(folded)) return 'spam';
  if ((CAPTION.test(folded) && folded.length <= 40) || NUMBERED_PICTURE.test(spaced)) return 'caption';
  if (COUNTER.test(folded) || VIEWS.test(folded) || READING_TIME.test(folded)) return 'counter';
  if (CONTACT.test(folded) && folded.length <= 60 && !SENTENCE.test(folded)) return 'contact';
  if (KEYWORDS.test(folded)) return 'keywords';
  // Names are told apart by the spaces between them, which the fold closes.
  if (NAMES.test(spaced) && !spaced.split(/\s+/).some((p) => NUMBERED_PART.test(p))) return 'names';
  return undefined;
}

const WEAK = new Set<Shape>(['counter', 'contact', 'names', 'keywords']);

export function isStrong(shape: Shape | undefined): shape is StrongShape {
  return shape !== undefined && !WEAK.has(shape);
}

/**
 * Prose: a sentence, not a name, a label or a headline. A headline may ask a question or even end
 * in a full stop (`…征信?2025必看避坑指南。`); a sentence has clauses, or is long.
 */
export function isProse(line: string): boolean {
  const text = line.trim();
  if (text.length >= 40 && /[，,。！？!?；;]/.test(text)) return hasHan(text, 8);
  const sentence = /[。；;…]$/.test(text) || /[。；;]/.test(text.slice(0, -1));
  return sentence && text.length >= 16 && (/[，,]/.test(text) || text.length >= 30) && hasHan(text, 8);
}

/** At least `count` Han characters (Chinese prose: a debug line or an SQL query with commas is not). */
function hasHan(text: string, count: number): boolean {
  let seen = 0;
  for (let i = 0; i < text.length && seen < count; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf)) seen++;
  }
  return seen >= count;
}
