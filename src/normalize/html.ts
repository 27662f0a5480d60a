/**
 * Article extraction from content-farm HTML: the body paragraphs, title, category and raw time,
 * with the page's chrome (scripts, navigation, sidebars, comments, related links, ads) dropped
 * and `<ruby>` readings removed (fault 1) before any text is read.
 *
 * The body is found by explicit selector, then by the markup such sites use (`<article>`,
 * `itemprop=articleBody`, `.art_content`, ...), and otherwise by a readability-style score of
 * Chinese text per container. Text is never rewritten here beyond whitespace: the text stages
 * downstream need the page's characters exactly as served.
 *
 * Cost: linear in the page whatever its shape. Elements nested past `LIMITS.htmlDepth` are lifted
 * before parsing (`html-tokens.ts`; the tree builder and the selector engine do work in
 * proportion to the depth for each element), and the walks below are iterative. A page of more
 * than `LIMITS.htmlElements` elements (counted before parsing and again while the tree is built)
 * or `LIMITS.htmlChars` characters is read as text without a tree (flag `html-text-only`), as is
 * one the extractor fails on.
 */
import { createRequire } from 'node:module';
import type { CheerioAPI } from 'cheerio';
import type { AnyNode, Element, ParentNode } from 'domhandler';
import type { adapter as Parse5Adapter } from 'parse5-htmlparser2-tree-adapter';
import { flattenDeepHtml, readHtmlText } from './html-tokens.js';
import { breadcrumbTrail } from './layout/line-shapes.js';
import { LIMIT_FLAGS, LIMITS } from './limits.js';

export interface ExtractSelectors {
  title?: string;
  body?: string;
  category?: string;
  time?: string;
}

export interface ExtractOptions {
  /** The page's URL: relative links are resolved against it. */
  url?: string;
  /** CSS selectors for sites whose markup the heuristics get wrong; each overrides its heuristic. */
  selectors?: ExtractSelectors;
}

export interface RemovedHtml {
  kind: 'html';
  /** `script`, `nav`, `comments`, `related`, `ads`, `ruby-annotation`, `title`, `byline`, ... */
  what: string;
  /** The start of the dropped text, at most 80 characters. */
  text: string;
}

export interface ExtractedArticle {
  title: string | null;
  category: string | null;
  /** The time exactly as the page shows it; the caller parses it. */
  publishedAt: string | null;
  /** Body paragraphs and headings in reading order, trimmed, none empty. */
  paragraphs: string[];
  removed: RemovedHtml[];
  /** Absolute hrefs of every `<a>` in the page, without fragments, deduplicated. */
  links: string[];
  /** Limits the page met (`LIMIT_FLAGS`): elements lifted, or read as text only. */
  flags: string[];
}

/** Elements whose content is never text of the page. */
const NEVER_TEXT = new Set(
  'script style noscript iframe template object embed svg canvas button select textarea'.split(' '),
);
/** Tags that are page chrome by themselves (`header`/`footer` only outside the article). */
const CHROME_TAGS = new Map([
  ['nav', 'nav'],
  ['aside', 'sidebar'],
  ['header', 'header'],
  ['footer', 'footer'],
]);
const RUBY_ANNOTATIONS = new Set(['rt', 'rp', 'rtc']);
/** Inline elements whose hidden text is dropped (a hidden block may be an article's folded rest). */
const INLINE = new Set(
  'a abbr b bdi bdo cite code em font i ins kbd mark q s samp small span strong sub sup u'.split(' '),
);
const HIDDEN_STYLE = /(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)\s*(?:!important\s*)?(?:;|$)/i;
/** The longest hidden inline text taken for a jammer: longer hidden text is left to the other rules. */
const MAX_HIDDEN_TEXT = 32;

/**
 * Text a reader never sees, glued between a post's words: forums' anti-copy "jammer" (Discuz's
 * `<font class="jammer">6 h. V1</font>`), and short inline spans hidden by `hidden` or an inline
 * `display:none`. Hidden blocks stay: sites fold an article's rest into one until "展开全文".
 */
function isHiddenInline(el: Element): boolean {
  if (!INLINE.has(el.name)) return false;
  if (/(?:^|\s)jammer(?:\s|$)/i.test(el.attribs.class ?? '')) return true;
  if (!('hidden' in el.attribs) && !HIDDEN_STYLE.test(el.attribs.style ?? '')) return false;
  return [...textOf(el, MAX_HIDDEN_TEXT + 1)].length <= MAX_HIDDEN_TEXT;
}
/** Never removed as chrome, whatever their class says. */
const STRUCTURE_TAGS = new Set(['html', 'body', 'main', 'article']);

/** Elements that end a paragraph; everything else is inline and joins the running text. */
const BLOCKS = new Set(
  (
    'p h1 h2 h3 h4 h5 h6 li ul ol dl dt dd div blockquote td th tr table tbody thead tfoot caption ' +
    'section article header footer aside nav main pre figure figcaption hr address center form fieldset'
  ).split(' '),
);
/** Text holders whose score goes to the container around them rather than to themselves. */
const TEXT_ITEMS = new Set('p li h1 h2 h3 h4 h5 h6 blockquote pre dd dt'.split(' '));

/** Class/id words of page chrome. Strong ones win even over a content word in the same name. */
const CHROME: { what: string; strong: boolean; words: RegExp }[] = [
  { what: 'comments', strong: true, words: /^(comments?|pinglun|replies|discuss|discussion)$/ },
  {
    what: 'related',
    strong: true,
    words: /^(related|relate|xiangguan|xgwz|recommend|tuijian|hotnews|ranking)$/,
  },
  { what: 'ads', strong: true, words: /^(ad|ads|adv|advert|advertisement|adsbygoogle|guanggao|gg|sponsor)$/ },
  { what: 'share', strong: true, words: /^(share|sharebar|bdshare|social)$/ },
  { what: 'pagination', strong: true, words: /^(pagination|pager|paging|pagelist|fenye)$/ },
  { what: 'breadcrumb', strong: false, words: /^(breadcrumbs?|crumbs?|mianbao)$/ },
  { what: 'nav', strong: false, words: /^(nav|navbar|navigation|menu|topnav|mainnav|subnav|daohang)$/ },
  { what: 'sidebar', strong: false, words: /^(sidebar|aside|widgets?)$/ },
  { what: 'footer', strong: false, words: /^(footer|copyright|beian)$/ },
  { what: 'header', strong: false, words: /^(header|topbar|masthead)$/ },
];
/** Common words that mean chrome only as a whole class name (`position-relative` is a utility class). */
const CHROME_NAMES = new Map([
  ['position', 'breadcrumb'],
  ['location', 'breadcrumb'],
  ['weizhi', 'breadcrumb'],
  ['side', 'sidebar'],
  ['right', 'sidebar'],
  ['foot', 'footer'],
  ['top', 'header'],
  ['hot', 'related'],
  ['more', 'related'],
]);
const CONTENT_WORDS = /^(article|art|content|main|body|post|entry|detail|text|title|zw|zhengwen|news)$/;
const BYLINE_WORDS = /^(info|meta|byline|time|date|pubtime|pubdate|source|author|xinxi|attr|laiyuan)$/;

/** Section titles of comment and related-link blocks, in both scripts. */
const SECTION_LABEL =
  /^(?:(?:精彩|网友|網友|发表|發表|最新|热门|熱門)?(?:评论|評論|留言)|(?:相关|相關|推荐|推薦|延伸|热门|熱門|最新|随机|隨機|猜你|更多)(?:推荐|推薦|文章|阅读|閱讀|看看|喜欢|喜歡|资讯|資訊))\s*(?:[(（]\d*[)）])?\s*[:：]?$/;
const BREADCRUMB_LABEL = /^\s*(当前位置|當前位置|您的位置|您现在的位置|您現在的位置|现在位置|位置)\s*[:：]/;
const HOME_LINK = /^(首页|首頁|网站首页|網站首頁|主页|主頁|home)$/i;
const CATEGORY_LABEL = /(?:分类|分類|栏目|欄目|类别|類別)\s*[:：]\s*([^\s|｜/>＞，,。]+)/;

const DATETIME =
  /\d{4}[-/]\d{1,2}[-/]\d{1,2}(?:\s+|T)\d{1,2}:\d{2}(?::\d{2})?|\d{4}年\d{1,2}月\d{1,2}日\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?/;
/** A date alone is trusted only inside a byline element, where it cannot be a date in the prose. */
const DATE_ONLY = /\d{4}[-/]\d{1,2}[-/]\d{1,2}|\d{4}年\d{1,2}月\d{1,2}日/;

const META_TIME = [
  'article:published_time',
  'og:published_time',
  'datepublished',
  'pubdate',
  'publishdate',
  'publish_date',
];

const HAN = /\p{Script=Han}/gu;
const SPACE = /\s/g;
/** Characters between which a source line break is not a space (CSS segment-break rule for CJK). */
const WIDE = /[\p{Script=Han}\u3000-\u303f\uff01-\uff60\u2018-\u201d\u2026\u2014]/u;

export function extractArticle(html: string, options: ExtractOptions = {}): ExtractedArticle {
  const page = typeof html === 'string' ? html : '';
  let flattened: ReturnType<typeof flattenDeepHtml> | undefined;
  try {
    flattened = flattenDeepHtml(page);
    if (flattened.elements <= LIMITS.htmlElements && page.length <= LIMITS.htmlChars) {
      const article = extract(flattened.html, options ?? {});
      if (flattened.lifted > 0) article.flags.push(LIMIT_FLAGS.htmlFlattened);
      return article;
    }
  } catch {
    // Too many elements once built (`TooManyElements`), or a failure of the extractor: the page's
    // text is read without a tree rather than lost.
  }
  return readAsText(page);
}

const require = createRequire(import.meta.url);
let parser: { load: typeof import('cheerio').load; adapter: typeof Parse5Adapter } | undefined;

/**
 * cheerio and its tree adapter, loaded with the first HTML page: a third of a second of start-up
 * that a batch of text dumps never needs (issue 14: the first record within a second).
 */
function htmlParser(): NonNullable<typeof parser> {
  parser ??= {
    load: (require('cheerio') as typeof import('cheerio')).load,
    adapter: (require('parse5-htmlparser2-tree-adapter') as typeof import('parse5-htmlparser2-tree-adapter'))
      .adapter,
  };
  return parser;
}

/** Thrown by the tree builder's adapter when a page builds more elements than the limit. */
class TooManyElements extends Error {}

/**
 * The tree builder's adapter, counting the elements it creates: a page can build many more than
 * its tags (a tree builder reopens unclosed formatting elements in every new block).
 */
function countingAdapter(max: number): typeof Parse5Adapter {
  const domAdapter = htmlParser().adapter;
  let created = 0;
  return {
    ...domAdapter,
    createElement(...args: Parameters<typeof domAdapter.createElement>) {
      if (++created > max) throw new TooManyElements(`more than ${max} elements`);
      return domAdapter.createElement(...args);
    },
  };
}

/**
 * A page read without a tree (`readHtmlText`): every text, paragraphs at block boundaries, the
 * `<title>` (or first `<h1>`) as title; no chrome told apart, no links collected.
 */
function readAsText(html: string): ExtractedArticle {
  const read = readHtmlText(html);
  const paragraphs = read.blocks.map(cleanText).filter((p) => p.length > 0);
  const title = cutSiteSuffix(cleanText(read.title));
  return {
    title: title || null,
    category: null,
    publishedAt: null,
    paragraphs: title && paragraphs[0] === title ? paragraphs.slice(1) : paragraphs,
    removed: read.skipped.map(({ what, text }) => ({ kind: 'html' as const, what, text: cleanText(text) })),
    links: [],
    flags: [LIMIT_FLAGS.htmlTextOnly],
  };
}

function extract(html: string, options: ExtractOptions): ExtractedArticle {
  const $ = htmlParser().load(html, { treeAdapter: countingAdapter(LIMITS.htmlElements) });
  const root = $.root()[0] as AnyNode;
  const removed: RemovedHtml[] = [];
  const record = (what: string, text: string) => {
    const sample = [...cleanText(text)].slice(0, 80).join('');
    if (sample) removed.push({ kind: 'html', what, text: sample });
  };
  /**
   * Records a node and marks it for removal; returns true (the `prune` callbacks' "removed").
   * Nodes go in one sweep per pass (`removeAll`): one by one, each removal searches its parent's
   * children, and a page of 30,000 comments side by side took 30,000² steps.
   */
  const gone = new Set<AnyNode>();
  const drop = (node: AnyNode, what: string): true => {
    record(what, textOf(node, 400));
    gone.add(node);
    return true;
  };
  const sweep = () => {
    removeAll(gone);
    gone.clear();
  };
  const links = collectLinks($, options.url);

  // Structured data is read before scripts go: JSON-LD's `datePublished`, `headline`, `articleSection`.
  const structured = readJsonLd($);
  // Never text: comments, scripts, styles, form controls, ruby readings (fault 1), hidden jammer text.
  prune(root, (node) => {
    if (node.type === 'comment') return drop(node, 'html-comment');
    if (!isElement(node)) return false;
    if (NEVER_TEXT.has(node.name)) return drop(node, node.name);
    if (RUBY_ANNOTATIONS.has(node.name)) return drop(node, 'ruby-annotation');
    if (isHiddenInline(node)) return drop(node, 'hidden-text');
    if (node.name === 'ruby') {
      // One record per ruby with its base and reading (`導(dǎo)`); the walk then keeps the base.
      const notes = node.children.filter((c): c is Element => isElement(c) && RUBY_ANNOTATIONS.has(c.name));
      const reading = cleanText(notes.map((c) => (c.name === 'rt' ? textOf(c) : '')).join(' '));
      removeAll(notes);
      if (reading) record('ruby-annotation', `${textOf(node, 40)}(${reading})`);
    }
    return false;
  });
  sweep();

  // Explicit selectors are read before any chrome is removed: they may point into a header.
  const sel = options.selectors ?? {};
  const explicit = {
    body: sel.body ? first($, sel.body) : undefined,
    title: sel.title ? first($, sel.title) : undefined,
    category: sel.category ? first($, sel.category) : undefined,
    time: sel.time ? first($, sel.time) : undefined,
  };
  const meta = readMeta($);
  for (const [key, value] of structured) if (!meta.has(key)) meta.set(key, value);
  const crumbs = breadcrumbLinks($);

  // Page chrome. Nothing holding the article is removed, nor a wrapper that holds most of the
  // text while merely mentioning chrome in its class (`has-sidebar`).
  const before = measure(root);
  const totalHan = before.get(root)?.han ?? 0;
  const keep = withAncestors([
    ...$('article, [itemprop=articleBody]').get(),
    ...(explicit.body ? [explicit.body] : []),
  ]);
  prune(root, (node) => {
    if (!isElement(node) || keep.has(node) || STRUCTURE_TAGS.has(node.name)) return false;
    const inArticle = ['header', 'footer'].includes(node.name) && $(node).closest('article').length > 0;
    const what = chromeOf(node) ?? (inArticle ? undefined : CHROME_TAGS.get(node.name));
    if (!what || (before.get(node)?.han ?? 0) > totalHan / 2) return false;
    return drop(node, what);
  });
  sweep();

  const stats = measure(root);
  const body = explicit.body ?? findBody($, stats);
  dropLabelledSections($, body, stats, drop, gone);
  sweep();

  const pageTitle = cutSiteSuffix(
    cleanText(
      meta.get('og:title') ??
        $('title')
          .get()
          .map((t) => textOf(t))[0] ??
        '',
    ),
  );
  let title = explicit.title ? cleanText(textOf(explicit.title)) : '';
  title ||= nearestHeading($, body, pageTitle) || pageTitle;

  const pageText = paragraphsOf($('body').get(0) ?? root).join('\n');
  const publishedAt = findTime($, body, meta, explicit.time, pageText);

  // Category: explicit, the breadcrumb's last link, meta, then a `分类：` label.
  let category = explicit.category ? cleanText(textOf(explicit.category)) : '';
  category ||= crumbs.filter((c) => c !== title && !HOME_LINK.test(c)).at(-1) ?? '';
  category ||= meta.get('article:section') ?? '';
  category ||= CATEGORY_LABEL.exec(pageText)?.[1] ?? '';

  // Paragraphs, minus the title repeated in the body and a byline standing alone.
  const paragraphs = paragraphsOf(body).filter((p) => {
    const what = title && p === title ? 'title' : isBylineParagraph(p, publishedAt) ? 'byline' : undefined;
    if (what) record(what, p);
    return what === undefined;
  });
  return {
    title: title || null,
    category: category || null,
    publishedAt,
    paragraphs,
    removed,
    links,
    flags: [],
  };
}

/** Explicit, machine-readable (meta, `<time>`), a byline element, then the first date-time on the page. */
function findTime(
  $: CheerioAPI,
  body: AnyNode,
  meta: Map<string, string>,
  explicit: Element | undefined,
  pageText: string,
): string | null {
  if (explicit) {
    const raw = explicit.attribs.datetime ?? explicit.attribs.content ?? textOf(explicit);
    const found = DATETIME.exec(raw)?.[0] ?? cleanText(raw);
    if (found) return found;
  }
  const fromMeta = META_TIME.map((k) => meta.get(k)).find((v) => v);
  if (fromMeta) return fromMeta;
  // The body's own <time> first. (Not `$(body).find(…)`: css-select de-duplicates its context in
  // quadratic time, minutes on a page of 300,000 paragraphs.)
  const times = $('time[datetime]').get();
  const insideBody = (el: AnyNode) => {
    for (let at: AnyNode | null = el; at; at = at.parent) if (at === body) return true;
    return false;
  };
  for (const time of [...times.filter(insideBody), ...times]) {
    const value = cleanText(time.attribs.datetime ?? '');
    if (value) return value;
  }
  for (const el of $('[class], [id]').get().filter(isBylineElement)) {
    const text = cleanText(textOf(el, 300));
    const found = DATETIME.exec(text)?.[0] ?? DATE_ONLY.exec(text)?.[0];
    if (found) return found;
  }
  return DATETIME.exec(pageText)?.[0] ?? null;
}

/** First element matching a site's selector; a broken selector counts as no match. */
function first($: CheerioAPI, selector: string): Element | undefined {
  try {
    return $(selector).get().find(isElement);
  } catch {
    return undefined;
  }
}

function collectLinks($: CheerioAPI, pageUrl: string | undefined): string[] {
  const base = resolve($('base[href]').attr('href') ?? '', pageUrl)?.href ?? pageUrl;
  const links = new Set<string>();
  $('a[href]').each((_, a) => {
    const url = resolve(a.attribs.href ?? '', base);
    if (!url || !['http:', 'https:', 'file:'].includes(url.protocol)) return;
    url.hash = '';
    links.add(url.href);
  });
  return [...links];
}

function resolve(href: string, base: string | undefined): URL | undefined {
  const trimmed = href.trim();
  if (!trimmed || trimmed.startsWith('#')) return undefined;
  try {
    return new URL(trimmed, base);
  } catch {
    return undefined;
  }
}

/** `<meta>` values by lower-cased property/name/itemprop; the first one of each wins. */
function readMeta($: CheerioAPI): Map<string, string> {
  const meta = new Map<string, string>();
  $('meta[content]').each((_, el) => {
    const key = (el.attribs.property ?? el.attribs.name ?? el.attribs.itemprop ?? '').toLowerCase();
    const value = (el.attribs.content ?? '').trim();
    if (key && value && !meta.has(key)) meta.set(key, value);
  });
  return meta;
}

/** JSON-LD values by the `<meta>` keys they stand for; the first of each wins. Bounded: small blocks only. */
const JSON_LD_KEYS: [string, string][] = [
  ['datePublished', 'datepublished'],
  ['headline', 'og:title'],
  ['articleSection', 'article:section'],
];
const MAX_JSON_LD = 100_000;

function readJsonLd($: CheerioAPI): Map<string, string> {
  const found = new Map<string, string>();
  for (const script of $('script[type="application/ld+json"]').get()) {
    const text = textOf(script, MAX_JSON_LD + 1);
    if (text.length > MAX_JSON_LD) continue;
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      continue; // a broken block says nothing
    }
    // The article is the object itself, an item of a list, or of its `@graph`.
    const graph = (data as { '@graph'?: unknown })?.['@graph'];
    const items = [data, ...(Array.isArray(data) ? data : []), ...(Array.isArray(graph) ? graph : [])];
    for (const item of items) {
      if (!item || typeof item !== 'object') continue;
      for (const [property, key] of JSON_LD_KEYS) {
        const value = (item as Record<string, unknown>)[property];
        if (typeof value === 'string' && value.trim() && !found.has(key)) found.set(key, value.trim());
      }
    }
  }
  return found;
}

/** Link texts of the breadcrumb trail (`当前位置：首页 > 理财问答 > 正文`), read before it is dropped. */
function breadcrumbLinks($: CheerioAPI): string[] {
  let trail: Element | undefined;
  for (const el of elementsUnder($.root()[0] as AnyNode)) {
    const isTrail =
      chromeOf(el) === 'breadcrumb' || BREADCRUMB_LABEL.test(leadingText(el)) || isSymbolTrail(el);
    // The innermost element wins: `<div class="crumbs"><ol class="crumbs-list">`.
    if (isTrail && (!trail || contains(trail, el))) trail = el;
  }
  if (!trail) return [];
  return $(trail)
    .find('a')
    .get()
    .map((a) => cleanText(textOf(a)))
    .filter((t) => t.length > 0);
}

/** Links side by side with `>`/`›`/`»` between them, whatever the element's class (`<div id="pt">`). */
function isSymbolTrail(el: Element): boolean {
  let links = 0;
  for (const child of el.children) if (isElement(child) && child.name === 'a') links++;
  if (links < 2) return false;
  const text = textOf(el, 200);
  return text.length < 200 && breadcrumbTrail(cleanText(text)) !== undefined;
}

/** The text an element starts with, from its own text nodes and its children's (`<b>当前位置：</b>`). */
function leadingText(el: Element): string {
  let text = '';
  for (const child of el.children.slice(0, 4)) {
    if (child.type === 'text') text += child.data;
    else if (isElement(child)) text += child.children.map((c) => (c.type === 'text' ? c.data : '')).join('');
  }
  return cleanText(text);
}

function classWords(el: Element): string[] {
  return `${el.attribs.class ?? ''} ${el.attribs.id ?? ''}`.toLowerCase().split(/\s+/).filter(Boolean);
}

/** What kind of chrome an element's class/id names it as, if any. */
function chromeOf(el: Element): string | undefined {
  const names = classWords(el);
  const tokens = names.flatMap((n) => n.split(/[-_]+/)).map((t) => t.replace(/\d+$/, ''));
  const hasContentWord = tokens.some((t) => CONTENT_WORDS.test(t));
  for (const { what, strong, words } of CHROME) {
    if (tokens.some((t) => words.test(t)) && (strong || !hasContentWord)) return what;
  }
  for (const name of names) {
    const what = CHROME_NAMES.get(name.replace(/\d+$/, ''));
    if (what) return what;
  }
  return undefined;
}

function isBylineElement(el: Element): boolean {
  return classWords(el)
    .flatMap((n) => n.split(/[-_]+/))
    .some((t) => BYLINE_WORDS.test(t));
}

const CONTENT_SELECTORS = [
  '[itemprop=articleBody]',
  '.article-content, #article-content, .article_content, .art_content, #art_content, .news_content, #news_content, ' +
    '.post-content, .entry-content, #entry-content, .content-text, .zhengwen, #zhengwen',
  'article',
  '.content, #content, .detail, #detail, .text, #text',
];

/**
 * The article body: the smallest well-known content container that still holds at least half of
 * the Chinese text of the best-scoring container, else that container, else `<body>`.
 */
function findBody($: CheerioAPI, stats: Stats): AnyNode {
  const han = (node: AnyNode) => stats.get(node)?.han ?? 0;
  const best = bestScored($, stats);
  const needed = best ? han(best) / 2 : 1;
  for (const selector of CONTENT_SELECTORS) {
    const fits = $(selector)
      .get()
      .filter((el) => han(el) >= needed)
      .sort((a, b) => han(a) - han(b));
    if (fits[0]) return fits[0];
  }
  return best ?? $('body').get(0) ?? ($.root().get(0) as AnyNode);
}

/** Readability-style: each text block scores its container by its length and clause count. */
function bestScored($: CheerioAPI, stats: Stats): Element | undefined {
  const scores = new Map<Element, number>();
  const add = (el: Element | undefined, score: number) => {
    if (el) scores.set(el, (scores.get(el) ?? 0) + score);
  };
  for (const el of elementsUnder($('body').get(0) ?? ($.root()[0] as AnyNode))) {
    if (!BLOCKS.has(el.name)) continue;
    const text = textOf(el, Number.POSITIVE_INFINITY, true);
    const han = hanCount(text);
    if (han < 10) continue;
    const score = 1 + (text.match(/[，。；？！,;]/g)?.length ?? 0) + Math.min(han / 100, 3);
    const container = TEXT_ITEMS.has(el.name) ? parentElement(el) : el;
    if (!container) continue;
    add(container, score);
    add(parentElement(container), score / 2);
  }
  let best: Element | undefined;
  let bestScore = 0;
  for (const [el, score] of scores) {
    const { chars = 0, linkChars = 0 } = stats.get(el) ?? {};
    const final = score * (1 - linkChars / (chars || 1));
    if (final > bestScore) [best, bestScore] = [el, final];
  }
  return best;
}

/**
 * Comment and related-link blocks known only by their title (`<h3>精彩评论</h3>`): the title and
 * the block around it go, as far up as the block does not reach the body; when the title sits
 * right beside the body, the lists that follow it go instead.
 */
function dropLabelledSections(
  $: CheerioAPI,
  body: AnyNode,
  stats: Stats,
  drop: (node: AnyNode, what: string) => true,
  gone: ReadonlySet<AnyNode>,
) {
  const count = (node: AnyNode) => stats.get(node) ?? { han: 0, chars: 0, linkChars: 0 };
  const bodyHan = count(body).han;
  const aroundBody = withAncestors([body]);
  // Innermost short elements only: a wrapper whose child holds all its text is not the label.
  const labels = elementsUnder($('body').get(0) ?? ($.root()[0] as AnyNode)).filter((el) => {
    const { chars } = count(el);
    if (chars === 0 || chars > 16 || el.children.some((c) => count(c).chars === chars && isElement(c)))
      return false;
    return SECTION_LABEL.test(cleanText(textOf(el)));
  });
  for (const label of labels) {
    if (!attached(label, gone) || label === body || contains(label, body)) continue;
    const what = /评论|評論|留言/.test(textOf(label)) ? 'comments' : 'related';
    let section = label;
    for (let up = parentElement(section); up; up = parentElement(up)) {
      if (aroundBody.has(up) || STRUCTURE_TAGS.has(up.name)) break;
      if (contains(body, up) && count(up).han > bodyHan / 2) break;
      section = up;
    }
    if (section !== label) {
      drop(section, what);
      continue;
    }
    // Read sibling by sibling up to where the section ends (not `nextAll()`: a page of 30,000
    // labels side by side would list every later sibling for each).
    let next = nextElement(label);
    drop(label, what);
    // A related-links section ends at the first block that is not a list of links; comments run
    // to the next heading. (This asked `contains(body, label)` too, but only once the label was
    // out of the tree, where it never held.)
    const onlyLinks = what === 'related';
    while (next) {
      if (aroundBody.has(next) || /^h[1-6]$/.test(next.name)) break;
      const { chars, linkChars } = count(next);
      // Only lists of links go, except comments outside the body, which run to the next heading.
      if (onlyLinks && linkChars < chars / 2 && !['ul', 'ol', 'dl'].includes(next.name)) break;
      const after = nextElement(next);
      drop(next, what);
      next = after;
    }
  }
}

/**
 * The article's `<h1>`: the one closest to the body, preferring one that agrees with the page
 * title, so a site-name `<h1>` in the masthead loses to the headline.
 */
function nearestHeading($: CheerioAPI, body: AnyNode, pageTitle: string): string {
  const distance = new Map<AnyNode, number>();
  let d = 0;
  for (let at: AnyNode | null = body; at; at = at.parent) distance.set(at, d++);
  // No `<h1>`: the `<h2>`/`<h3>` the page title names (a bank's FAQ sets its question in `<h2>`).
  const h1s = $('h1').get();
  const headings =
    h1s.length > 0
      ? h1s
      : $('h2, h3')
          .get()
          .filter((h) => agreesWith(h, pageTitle));
  const candidates = headings
    .map((h1) => {
      let at: AnyNode | null = h1;
      while (at && !distance.has(at)) at = at.parent;
      const text = cleanText(textOf(h1));
      const agrees = pageTitle !== '' && (pageTitle.includes(text) || text.includes(pageTitle));
      return { text, rank: (at ? (distance.get(at) ?? d) : d) - (agrees ? d : 0) };
    })
    .filter((c) => c.text.length > 0)
    .sort((a, b) => a.rank - b.rank);
  return candidates[0]?.text ?? '';
}

function agreesWith(heading: Element, pageTitle: string): boolean {
  const text = cleanText(textOf(heading, 200));
  return text.length >= 4 && pageTitle.includes(text);
}

/** `标题_栏目_站名` → `标题`: segments after the last kind of separator go. */
function cutSiteSuffix(title: string): string {
  const found = [...title.matchAll(/\s+[-–—|｜]\s+|\s*[_|｜]\s*/g)];
  const kind = found.at(-1)?.[0].trim();
  const firstSame = found.find((m) => m[0].trim() === kind);
  return title.slice(0, firstSame?.index ?? title.length).trim() || title;
}

/** A short line holding the time and no sentence: `逾期法務 2024-10-02 23:26:37`, `来源：某网 时间：…`. */
function isBylineParagraph(p: string, time: string | null): boolean {
  if (!time || !p.includes(time)) return false;
  const rest = p.replace(time, '');
  return rest.length <= 40 && !/[。！？!?]/.test(rest);
}

/** Text split into paragraphs at block boundaries and `<br>`. */
function paragraphsOf(root: AnyNode): string[] {
  const out: string[] = [];
  let buffer = '';
  const flush = () => {
    const text = cleanText(buffer);
    if (text) out.push(text);
    buffer = '';
  };
  const stack: (AnyNode | 'end')[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as AnyNode | 'end';
    if (node === 'end') flush();
    else if (node.type === 'text') buffer += node.data;
    else if (isElement(node) && node.name === 'br') flush();
    else if ('children' in node) {
      if (isElement(node) && BLOCKS.has(node.name)) {
        flush();
        stack.push('end');
      }
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i] as AnyNode);
    }
  }
  flush();
  return out;
}

/** Collapse whitespace; a line break between two CJK characters is no space at all. */
function cleanText(text: string): string {
  return text
    .replace(/[\u200b-\u200d\u2060\ufeff]/g, '')
    .replace(/[ \t\n\r\f\v\u00a0]+/g, (run: string, at: number, all: string) =>
      /[\n\r]/.test(run) && WIDE.test(all[at - 1] ?? '') && WIDE.test(all[at + run.length] ?? '') ? '' : ' ',
    )
    .trim();
}

/** Han characters in `text`, counted a slice at a time (one match array of a 50 MB text node is gigabytes). */
function hanCount(text: string): number {
  const SLICE = 65_536;
  if (text.length <= SLICE) return text.match(HAN)?.length ?? 0;
  let n = 0;
  for (let at = 0; at < text.length; ) {
    let end = Math.min(at + SLICE, text.length);
    const code = text.charCodeAt(end - 1);
    if (code >= 0xd800 && code <= 0xdbff) end++; // keep a surrogate pair together
    n += text.slice(at, end).match(HAN)?.length ?? 0;
    at = end;
  }
  return n;
}

function isElement(node: AnyNode): node is Element {
  return node.type === 'tag' || node.type === 'script' || node.type === 'style';
}

function nextElement(node: AnyNode): Element | undefined {
  for (let at = node.next; at; at = at.next) if (isElement(at)) return at;
  return undefined;
}

function parentElement(node: AnyNode): Element | undefined {
  const parent = node.parent;
  return parent && isElement(parent) ? parent : undefined;
}

/**
 * Text under a node, up to about `limit` characters; `inlineOnly` skips block descendants (the
 * text a `<td>` holds between its `<br>`s). Iterative: pages nest deeper than the call stack.
 */
function textOf(node: AnyNode, limit = Number.POSITIVE_INFINITY, inlineOnly = false): string {
  let text = '';
  const stack: AnyNode[] = [node];
  while (stack.length > 0 && text.length < limit) {
    const at = stack.pop() as AnyNode;
    if (at.type === 'text') text += at.data;
    else if (node.type === 'comment' && at === node) text += node.data;
    else if ('children' in at && (at === node || !inlineOnly || !(isElement(at) && BLOCKS.has(at.name))))
      for (let i = at.children.length - 1; i >= 0; i--) stack.push(at.children[i] as AnyNode);
  }
  return text;
}

/** Han and non-space character counts of every node, and how many of those are link text. */
type Stats = Map<AnyNode, { han: number; chars: number; linkChars: number }>;

function measure(root: AnyNode): Stats {
  const stats: Stats = new Map();
  const stack: [AnyNode, boolean][] = [[root, false]];
  while (stack.length > 0) {
    const [node, childrenDone] = stack.pop() as [AnyNode, boolean];
    if (!childrenDone && 'children' in node) {
      stack.push([node, true]);
      for (const child of node.children) stack.push([child, false]);
      continue;
    }
    const s = { han: 0, chars: 0, linkChars: 0 };
    if (node.type === 'text') {
      s.han = hanCount(node.data);
      s.chars = node.data.replace(SPACE, '').length;
    } else if ('children' in node) {
      for (const child of node.children) {
        const c = stats.get(child);
        if (c) [s.han, s.chars, s.linkChars] = [s.han + c.han, s.chars + c.chars, s.linkChars + c.linkChars];
      }
    }
    if (isElement(node) && node.name === 'a') s.linkChars = s.chars;
    stats.set(node, s);
  }
  return stats;
}

/** Pre-order walk that does not descend into a node `visit` returns true for (it removed it). */
function prune(root: AnyNode, visit: (node: AnyNode) => boolean): void {
  const stack: AnyNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as AnyNode;
    if (node !== root && visit(node)) continue;
    if ('children' in node)
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i] as AnyNode);
  }
}

/** Every element under a node, in document order. */
function elementsUnder(root: AnyNode): Element[] {
  const out: Element[] = [];
  prune(root, (node) => {
    if (isElement(node)) out.push(node);
    return false;
  });
  return out;
}

function withAncestors(nodes: AnyNode[]): Set<AnyNode> {
  const set = new Set<AnyNode>();
  for (const node of nodes)
    for (let at: AnyNode | null = node; at && !set.has(at); at = at.parent) set.add(at);
  return set;
}

function contains(outer: AnyNode, inner: AnyNode): boolean {
  for (let at = inner.parent; at; at = at.parent) if (at === outer) return true;
  return false;
}

/** Still in the document: neither it nor an ancestor removed, or marked for removal (`gone`). */
function attached(node: AnyNode, gone: ReadonlySet<AnyNode>): boolean {
  let at: AnyNode = node;
  while (at.parent) {
    if (gone.has(at)) return false;
    at = at.parent;
  }
  return at.type === 'root';
}

/** Takes nodes out of the tree, rebuilding each parent's children once. */
function removeAll(nodes: Iterable<AnyNode>): void {
  const set = new Set(nodes);
  const parents = new Set<ParentNode>();
  for (const node of set) if (node.parent) parents.add(node.parent);
  for (const parent of parents) {
    const kept = parent.children.filter((child) => !set.has(child));
    kept.forEach((child, i) => {
      child.prev = kept[i - 1] ?? null;
      child.next = kept[i + 1] ?? null;
    });
    parent.children = kept;
  }
  for (const node of set) {
    node.parent = null;
    node.prev = null;
    node.next = null;
  }
}
