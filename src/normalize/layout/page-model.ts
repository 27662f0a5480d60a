/**
 * A model of a page's lines: where the title stands, which lines are the site's header, byline,
 * breadcrumb and widgets, and which are the article. Bylines, breadcrumbs and widgets are known
 * by their shape (`line-shapes.ts`); the title by its place among them: the line a byline follows,
 * the line after a breadcrumb or the question label, the line the body repeats, or a headline
 * standing first before the prose. Once the title is placed, the short lines above it are the
 * site's header. Weak shapes (a bare count, a contact line) are chrome only outside the prose.
 *
 * A line is dropped only for its shape or its place: a sentence never is (`isProse`).
 */
import { readMetaLine } from './fields.js';
import { bareWords, breadcrumbTrail, isProse, isStrong, lineShape, type Shape } from './line-shapes.js';

export type DropReason = Shape | 'header' | 'title-repeat' | 'related';

export interface PageLayout {
  /** Index of the title line among the lines, or null (a title from HTML is not among them). */
  title: number | null;
  /** The title's text when it is not the whole line (`展开 标题` → `标题`). */
  titleText: string | null;
  /** The first time a byline shows, as printed. */
  time: string | null;
  /** The first time a byline shows relative to the fetch (`01-17`, `3天前`), when none shows a full one. */
  relativeTime: string | null;
  category: string | null;
  /** Why each line is dropped; undefined for the article's lines (and the title). */
  drops: (DropReason | undefined)[];
}

/** How far into a page its title may stand: past a masthead, a nav bar and a breadcrumb. */
const HEAD_LINES = 14;
const MAX_TITLE = 80;
/** Lines the body may repeat the title within. */
const REPEAT_WINDOW = 12;

const NUMBERED =
  /^\s*(\d+(\.\d+)*\s*[.、．)）]|[一二三四五六七八九十]+\s*[、.．]|第[一二三四五六七八九十百\d]+[章节条部篇])/;
const LIST_ITEM = /^\s*[-*•·●▪◆>]/;
const LABELLED_HEADING = /^(小编)?(引言|导语|导读|摘要|前言|问题|问|答|回答|注意|提示|总结|结语)\s*[:：]/;
const GENERIC_HEADING = /^(小编)?(导语|导读|摘要|前言|引言|目录|正文|文章正文|正文内容|文章内容|总结|结语)$/;
const QUESTION_LABEL = /^(问题|提问|问|网友提问|用户提问)\s*[:：]?$/;
/** Widget words a captured title keeps before it (`展开 标题`). */
const TITLE_WIDGET_PREFIX = /^(展开|收起)\s+/;
const RELATED_LABEL = /^(相关|推荐|热门|热点|最新|猜你|延伸|更多|其他|随机)|相关\p{Script=Han}{2}$/u;
const HAN = /\p{Script=Han}/gu;
const HOME_OR_GENERIC = /^(首页|主页|网站首页|home|正文|文章详情|详情|内容|正在查看|当前页|列表)$/i;

export function isGenericHeading(line: string): boolean {
  return GENERIC_HEADING.test(bareWords(line));
}

/** Two lines say the same once script, spaces and punctuation are set aside. */
export function sameLine(a: string, b: string): boolean {
  const left = bareWords(a);
  return left.length > 0 && left === bareWords(b);
}

/** A name without punctuation, alone or as a list item (`- 某某`): a field of the byline below it. */
function bylineField(line: string): boolean {
  const text = line.trim().replace(/^[-•·]\s+/, '');
  return text.length > 0 && text.length <= 24 && !/\p{P}/u.test(text);
}

/** Could stand as a headline: short, not a sentence, not a numbered or labelled heading. */
function headlineShaped(line: string): boolean {
  const text = line.trim();
  if (text.length === 0 || text.length > MAX_TITLE) return false;
  if (NUMBERED.test(text) || LIST_ITEM.test(text) || LABELLED_HEADING.test(text)) return false;
  if (isGenericHeading(text)) return false;
  if (/[，,：:；;、]$/.test(text)) return false;
  // A full stop only at the very end, after a question or exclamation (`…吗？…指南。`).
  const inner = text.slice(0, -1);
  if (/[。]/.test(inner)) return false;
  if (text.endsWith('。') && !/[？?！!]/.test(inner)) return false;
  return true;
}

interface Options {
  /** The title is known (HTML): it is not looked for among the lines, only its repeats are. */
  knownTitle?: string | null;
  /** Lines that hold a garbled run the mojibake engine listed: what they read as is unknown. */
  garbled?: readonly boolean[];
}

/**
 * `texts`: the lines as the line stages left them; `plains`: the same with held-out runs put back
 * (for comparing lines).
 */
export function readPageLayout(
  texts: readonly string[],
  plains: readonly string[],
  options: Options = {},
): PageLayout {
  const n = texts.length;
  const shapes = texts.map((t) => lineShape(t));
  const bares = plains.map((p) => bareWords(p));
  const drops: (DropReason | undefined)[] = shapes.map((s) => (isStrong(s) ? s : undefined));
  const prose = texts.map((t, i) => shapes[i] === undefined && isProse(t));
  const firstProse = prose.indexOf(true);
  const lastProse = prose.lastIndexOf(true);
  const headEnd = Math.min(firstProse < 0 ? n : firstProse, HEAD_LINES);
  const open = (i: number) => i >= 0 && i < n && shapes[i] === undefined;
  /** The next line without a shape after `i`, skipping widgets and counters. */
  const nextOpen = (i: number) => {
    for (let j = i + 1; j < n; j++) if (open(j)) return j;
    return -1;
  };

  let title: number | null = null;
  let titleText: string | null = null;
  const knownTitle = options.knownTitle ?? null;
  if (knownTitle === null || knownTitle === undefined) {
    title = findTitle(texts, bares, shapes, headEnd, open, nextOpen, prose, options.garbled ?? []);
    if (title !== null) {
      const stripped = (texts[title] as string).trim().replace(TITLE_WIDGET_PREFIX, '');
      if (stripped !== (texts[title] as string).trim()) titleText = stripped;
      // The site's header: the short lines above the title that no shape named.
      for (let i = 0; i < title; i++) if (open(i) && !isProse(texts[i] as string)) drops[i] = 'header';
      // Between the title and its byline, a line with no punctuation is the byline's too (an
      // author's badge, a column's name).
      const byline = [title + 1, title + 2, title + 3].find((j) => shapes[j] === 'byline');
      for (let i = title + 1; byline !== undefined && i < byline; i++)
        if (open(i) && !prose[i] && bylineField(texts[i] as string)) drops[i] = 'header';
    }
  }
  const titleLine = title !== null ? (plains[title] as string) : knownTitle;

  // The title again in the body, and the header's lines again further down (the site's name).
  const header = new Set<string>();
  for (let i = 0; i < n; i++) if (drops[i] === 'header') header.add(bares[i] as string);
  const titleBare = titleLine ? bareWords(titleLine) : '';
  for (let i = 0; i < n; i++) {
    if (i === title || drops[i] !== undefined) continue;
    const bare = bares[i] as string;
    if (titleBare && bare === titleBare) drops[i] = 'title-repeat';
    else if (!prose[i] && header.has(bare)) drops[i] = 'header';
  }

  // Weak shapes are chrome outside the prose only (before it, or after it).
  for (let i = 0; i < n; i++) {
    const shape = shapes[i];
    if (shape === undefined || isStrong(shape)) continue;
    if (firstProse < 0 || i < firstProse || i > lastProse) drops[i] = shape;
  }

  // Below the article, a related-links label (`相关阅读`, `相关问题`) heads a list of other titles.
  let inRelated = false;
  for (let i = lastProse + 1; i < n && firstProse >= 0; i++) {
    if (shapes[i] === 'navigation' && RELATED_LABEL.test(bares[i] as string)) inRelated = true;
    else if (inRelated && open(i) && !prose[i] && drops[i] === undefined) drops[i] = 'related';
  }

  let time: string | null = null;
  let relativeTime: string | null = null;
  let category: string | null = null;
  let crumbCategory: string | null = null;
  // Times and categories come from the head of the page: a byline in the comments below is not the article's.
  const metaEnd = Math.min(n, HEAD_LINES + (title ?? 0));
  for (let i = 0; i < metaEnd; i++) {
    const shape = shapes[i];
    if (shape === 'byline') {
      const meta = readMetaLine(texts[i] as string);
      if (time === null && meta?.time) time = meta.time;
      if (relativeTime === null && meta?.relativeTime) relativeTime = meta.relativeTime;
      if (category === null && meta?.category) category = meta.category;
    } else if (shape === 'breadcrumb' && crumbCategory === null) {
      crumbCategory = categoryOfTrail(breadcrumbTrail(texts[i] as string) ?? [], titleText ?? titleLine);
    } else if (shape === 'counter' && title !== null && i === title + 1 && drops[i] === 'counter') {
      // `法律财经 1` under the title: the section's name and a count; `某某网 38 2` names the site.
      const name = /^\p{Script=Han}+/u.exec((texts[i] as string).trim())?.[0];
      if (name && !/[网站]$/.test(name) && crumbCategory === null) crumbCategory = name;
    }
  }
  category ??= crumbCategory;
  return { title, titleText, time, relativeTime: time === null ? relativeTime : null, category, drops };
}

function findTitle(
  texts: readonly string[],
  bares: readonly string[],
  shapes: readonly (Shape | undefined)[],
  headEnd: number,
  open: (i: number) => boolean,
  nextOpen: (i: number) => number,
  prose: readonly boolean[],
  garbled: readonly boolean[],
): number | null {
  const n = texts.length;
  const candidates: number[] = [];
  // A long headline with commas reads as prose (`【2026…】一篇看懂8大銀行減免規則,刷幾次、如何…?`):
  // it is a candidate all the same, for the passes below that have more to go by than its shape.
  for (let i = 0; i < Math.min(n, HEAD_LINES); i++) {
    const headline = headlineShaped(texts[i] as string);
    if (prose[i] && !headline) break;
    if (open(i) && (texts[i] as string).trim().length <= MAX_TITLE) candidates.push(i);
  }
  // The question under a Q&A page's `问题` label, sentence or not.
  for (let i = 1; i < Math.min(n, HEAD_LINES); i++)
    if (open(i) && QUESTION_LABEL.test((texts[i - 1] as string).trim())) return i;
  // In order of trust: a dated byline follows it (past widgets and counters); a breadcrumb stands
  // right above it or ends with it; the body repeats it, alone or opening a paragraph
  // (`标题正文…`, `【标题】正文…`).
  const passes: ((i: number) => boolean)[] = [
    (i) => {
      // A list item (`- 某某`) is a byline's own field; an undated byline (`文 / 某某`) may stand
      // between the headline and the dated one.
      if (LIST_ITEM.test(texts[i] as string)) return false;
      for (let j = i + 1; j < Math.min(n, i + 4); j++) {
        if (shapes[j] === 'byline' && readMetaLine(texts[j] as string)?.dated === true) return true;
        if (open(j) && !(LIST_ITEM.test(texts[j] as string) && bylineField(texts[j] as string))) return false;
      }
      return false;
    },
    (i) =>
      shapes[i - 1] === 'breadcrumb' || (i > 0 && trailEndsWith(texts[i - 1] as string, texts[i] as string)),
    (i) => {
      const bare = bares[i] as string;
      if (bare.length < 4 || !headlineShaped(texts[i] as string)) return false;
      for (let j = i + 1; j < Math.min(n, i + REPEAT_WINDOW); j++) {
        const other = bares[j] as string;
        if (other === bare || (other.startsWith(bare) && other.length > bare.length + 8)) return true;
      }
      return false;
    },
  ];
  for (const [k, pass] of passes.entries()) {
    const found = candidates.find(pass);
    if (found === undefined) continue;
    // Above the byline may stand an author's badge or a column's name (`法务小编认证达人`, no
    // punctuation at all) under the headline: a question or exclamation right above it is the title.
    if (k === 0 && !/[\p{P}]/u.test((texts[found] as string).trim())) {
      const above = [found - 1, found - 2].find(
        (j) =>
          candidates.includes(j) &&
          headlineShaped(texts[j] as string) &&
          /[？?！!]$/.test((texts[j] as string).trim()),
      );
      if (above !== undefined) return above;
    }
    return found;
  }
  // A headline standing first, before a sentence or a numbered heading; alone, only where the page
  // shows chrome around it (a tag page: `展开 标题`, `相关内容`). A lone sentence is text.
  const first = nextOpen(-1);
  if (first < 0 || first >= headEnd) return null;
  const text = texts[first] as string;
  if (!headlineShaped(text) || (text.match(HAN) ?? []).length < 4) return null;
  if (firstOfUnmarkedSections(texts, first)) return null;
  // A garbled line standing first has no shape to go by: it may be a sentence (its punctuation is
  // in the garbage), and taking it for the title one pass and not the next made records unstable.
  if (garbled[first]) return null;
  const next = nextOpen(first);
  if (next < 0) {
    const chromeAround = shapes.some((s) => s !== undefined && s !== 'control');
    return (chromeAround || TITLE_WIDGET_PREFIX.test(text.trim())) && !/[，,]/.test(text) ? first : null;
  }
  const nextText = texts[next] as string;
  return prose[next] || isSentence(nextText) || NUMBERED.test(nextText) ? first : null;
}

/**
 * `一保留關鍵證據` … `二向監管部門投訴`: section headings whose `、` a site's filter deleted. The
 * first is a heading, not the title, when a short line further down opens with the next numeral.
 */
function firstOfUnmarkedSections(texts: readonly string[], first: number): boolean {
  if (!(texts[first] as string).trim().startsWith('一')) return false;
  return texts.some(
    (t, i) => i > first && t.trim().length <= MAX_TITLE && /^二\p{Script=Han}/u.test(t.trim()),
  );
}

/** A sentence, however short: clauses, and a full stop or question mark at its end. */
function isSentence(line: string): boolean {
  const text = line.trim();
  return text.length >= 16 && /[，,]/.test(text) && /[。！？!?…]$/.test(text);
}

function trailEndsWith(line: string, title: string): boolean {
  const parts = line.split(/\s*(?:>>|>|＞|»|›|→|\/|\s-\s)\s*/).filter((p) => p.trim());
  return parts.length >= 2 && sameLine(parts.at(-1) as string, title);
}

/** The breadcrumb's last section that is neither the title nor a generic word (`正文`, `首页`). */
function categoryOfTrail(trail: readonly string[], title: string | null): string | null {
  for (let i = trail.length - 1; i >= 0; i--) {
    const part = (trail[i] as string).trim();
    if (HOME_OR_GENERIC.test(bareWords(part))) continue;
    if (title && (sameLine(part, title) || (bareWords(title).startsWith(bareWords(part)) && part.length > 8)))
      continue;
    // The first section is the site itself.
    return i === 0 ? null : part;
  }
  return null;
}
