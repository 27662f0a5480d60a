/**
 * Page layouts of the web this project reads, beyond the seeds' one: ten families of masthead,
 * breadcrumb, byline, widget and title placement, each rendered as the HTML a site would serve
 * and as the text dump a capture of it gives (every line the reader sees, chrome included).
 * Shapes were taken from reading real pages (FAULTS.md §9); every word here is invented.
 *
 * Each page comes with its truth: the title, time and category it shows, its body lines, and
 * the lines that are chrome in the dump. The body mixes the article generator's prose with
 * sentences that hold chrome words (`仅供参考`, a URL, `来源：`) and must stay.
 */
import { fromHans } from '../../src/normalize/script/convert.js';
import { type Article, generateArticle, Rng } from './article-generator.js';
import { escapeHtml } from './html-templates.js';

export const LAYOUT_FAMILIES = [
  'news-portal',
  'forum-thread',
  'bank-faq',
  'mobile-card',
  'law-consult',
  'doc-library',
  'self-media',
  'old-portal',
  'qa-site',
  'tw-blog',
] as const;
export type LayoutFamily = (typeof LAYOUT_FAMILIES)[number];

export interface LayoutPage {
  family: LayoutFamily;
  url: string;
  /** The site: pages of one site share its chrome (what a source repeats). */
  site: string;
  html: string;
  /** The text dump: one line a row, as a capture of the page reads. */
  dump: string;
  truth: {
    title: string;
    /** ISO 8601 with the China offset. */
    publishedAt: string;
    category: string | null;
    /** Body lines in reading order, in the page's script. */
    paragraphs: string[];
    /** Chrome lines of the dump (byline, breadcrumb, widgets, the title's repeat…). */
    boilerplate: string[];
  };
}

// biome-ignore format: word lists read best packed
const SITE_NAMES = ['融知网', '借贷百事通', '卡友之家', '理财小站', '信用问答网', '金钥匙资讯', '钱袋子社区', '安心贷知道'];
// biome-ignore format: word lists read best packed
const BANKS = ['长河银行', '东湖银行', '青山农商银行', '海港银行'];
// biome-ignore format: word lists read best packed
const AUTHORS = ['木子', '小鹿', '理财君', '老周说钱', '卡神阿强', '王律师', '陈编辑', '财经小白'];
// biome-ignore format: word lists read best packed
const PAPERS = ['江城晚报', '财经时报', '都市快报'];

/** Body sentences that hold a chrome word and are text all the same (written for this file). */
const SACRED = [
  '以上测算仅供参考，实际额度和利率以银行审批结果为准。',
  '查询个人信用报告，可以登录征信中心官网https://www.example-credit.cn办理，全程免费。',
  '来源：借款合同约定的还款日，逾期从还款日次日开始计算。',
  '声明逾期的短信如果带有陌生链接，不要点击，直接拨打银行卡背面的号码核实。',
  '很多平台在页面底部写着“如有侵权请联系删除”，但这并不能免除它们催收违规的责任。',
];

interface Parts {
  article: Article;
  rng: Rng;
  site: string;
  title: string;
  category: string;
  /** `YYYY-MM-DD HH:MM:SS` */
  time: string;
  body: string[];
  related: string[];
}

interface Rendered {
  /** Lines before the body, with which are chrome. */
  head: Line[];
  tail: Line[];
  publishedAt: string;
  category: string | null;
  html: string;
}

interface Line {
  text: string;
  chrome: boolean;
}

const chrome = (text: string): Line => ({ text, chrome: true });
const shown = (text: string): Line => ({ text, chrome: false });

function isoOf(date: string, clock = '00:00:00'): string {
  return `${date}T${clock}+08:00`;
}

const [DATE, CLOCK] = [0, 1];

function split(time: string): [string, string] {
  const parts = time.split(' ');
  return [parts[DATE] as string, parts[CLOCK] as string];
}

function chineseDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

function page(head: string, body: string): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8">${head}</head><body>${body}</body></html>`;
}

const ps = (lines: string[]) => lines.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n');
const lis = (titles: string[]) =>
  titles.map((t, i) => `<li><a href="/a/${i + 1}.html">${escapeHtml(t)}</a></li>`).join('');

function newsPortal(p: Parts): Rendered {
  const [date, clock] = split(p.time);
  const author = p.rng.pick(AUTHORS);
  const views = p.rng.int(20, 9000);
  const byline = `${date} ${clock}  来源：${p.site}  作者：${author}  浏览：${views}`;
  const crumb = `当前位置：首页 > ${p.category} > 正文`;
  const head = [
    chrome(p.site),
    chrome('首页 贷款 信用卡 理财 保险 征信'),
    chrome(crumb),
    shown(p.title),
    chrome(byline),
  ];
  const tail = [
    chrome(`责任编辑：${author}`),
    chrome('分享到：微信 微博 QQ空间'),
    chrome('相关阅读'),
    ...p.related.map(chrome),
    chrome(`Copyright © 2024 ${p.site} 版权所有 京ICP备12345678号`),
  ];
  const html = page(
    `<title>${escapeHtml(p.title)}_${p.site}</title>`,
    `<div class="header"><a href="/">${p.site}</a><ul class="nav"><li>首页</li><li>贷款</li><li>信用卡</li></ul></div>
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/c/">${p.category}</a> &gt; 正文</div>
<div class="main"><h1>${escapeHtml(p.title)}</h1><div class="info">${byline}</div>
<div class="article-content">${ps(p.body)}</div><p class="editor">责任编辑：${author}</p>
<div class="share">分享到：<a>微信</a> <a>微博</a></div></div>
<div class="related"><h3>相关阅读</h3><ul>${lis(p.related)}</ul></div>
<div class="footer">Copyright © 2024 ${p.site} 版权所有 京ICP备12345678号</div>`,
  );
  return { head, tail, publishedAt: isoOf(date, clock), category: p.category, html };
}

function forumThread(p: Parts): Rendered {
  const [date, clock] = split(p.time);
  const [y, m, d] = date.split('-').map(Number);
  const posted = `发表于 ${y}-${m}-${d} ${clock} | 只看该作者 |阅读模式`;
  const stuffed = `${p.site}--卡友社区- 信用卡论坛 - 理财论坛 - ${p.site}论坛`;
  const counts = `查看: ${p.rng.int(100, 9999)}|回复: ${p.rng.int(0, 80)}`;
  const crumb = `${p.site} › 论坛 › ${p.category} › ${p.title}`;
  const head = [
    chrome(stuffed),
    chrome('找回密码'),
    chrome('立即注册'),
    chrome(crumb),
    chrome(counts),
    shown(p.title),
    chrome('[复制链接]'),
    chrome(posted),
  ];
  const tail = [chrome('回复 举报'), chrome('相关帖子'), ...p.related.map(chrome)];
  const html = page(
    `<title>${escapeHtml(p.title)} - ${p.category} - ${p.site}论坛</title>`,
    `<div id="hd"><a>找回密码</a> <a>立即注册</a></div>
<div id="pt" class="bm cl"><a href="/">${p.site}</a> <em>›</em> <a href="/forum">论坛</a> <em>›</em> <a href="/f/1">${p.category}</a> <em>›</em> ${escapeHtml(p.title)}</div>
<table id="pid1"><tr><td class="pls">${p.rng.pick(AUTHORS)}</td><td class="plc">
<span id="thread_subject">${escapeHtml(p.title)}</span>
<div class="authi"><em>发表于 ${y}-${m}-${d} ${clock}</em> | <a>只看该作者</a></div>
<td class="t_f" id="postmessage_1">${p.body.map(escapeHtml).join('<br />\n')}</td></td></tr></table>
<div class="po"><a>回复</a> <a>举报</a></div>`,
  );
  return { head, tail, publishedAt: isoOf(date, clock), category: p.category, html };
}

function bankFaq(p: Parts): Rendered {
  const [date] = split(p.time);
  const bank = p.rng.pick(BANKS);
  const head = [
    chrome(bank),
    chrome('个人业务 | 公司业务 | 联系我们 | 网站地图 | 设为首页'),
    chrome(`您的位置：首页 > 客户服务 > 常见问题 > ${p.category}`),
    shown(p.title),
    chrome(`发布日期：${chineseDate(date)}`),
  ];
  const tail = [
    chrome('温馨提示：以上内容仅供参考，具体以本行公告为准。'),
    chrome('客服热线：95000'),
    chrome(`版权所有 © ${bank} 备案号：沪ICP备00000000号`),
  ];
  const html = page(
    `<title>${escapeHtml(p.title)}-${bank}</title><meta name="description" content="${escapeHtml(p.title)}">`,
    `<div class="top"><span>${bank}</span></div>
<div class="menu">个人业务 | 公司业务 | 联系我们 | 网站地图 | 设为首页</div>
<div class="location">您的位置：<a>首页</a> &gt; <a>客户服务</a> &gt; <a>常见问题</a> &gt; <a>${p.category}</a></div>
<div class="faq"><h2 class="faq-q">${escapeHtml(p.title)}</h2><div class="date">发布日期：${chineseDate(date)}</div>
<div class="faq-a">${ps(p.body)}</div>
<div class="tip">温馨提示：以上内容仅供参考，具体以本行公告为准。</div></div>
<div class="foot">客服热线：95000<br>版权所有 © ${bank} 备案号：沪ICP备00000000号</div>`,
  );
  return { head, tail, publishedAt: isoOf(date), category: p.category, html };
}

function mobileCard(p: Parts): Rendered {
  const [date, clock] = split(p.time);
  const author = p.rng.pick(AUTHORS);
  // Real mobile pages also print the time with a view counter or the site's script switch beside it,
  // glue the section's names to the date, or lost their separators' icons to `?`.
  const shape = p.rng.int(0, 4);
  const byline = [
    `时间:${date}人气:${p.rng.int(5, 99)}作者:${author}`,
    `${date} ${clock}  浏览:${p.rng.int(5, 999)}`,
    `${date} ${clock}     简体|繁體`,
    `${date}${p.category}问答`,
    `作者:${author} ? 更新时间:${date} ?阅读`,
  ][shape] as string;
  const head = [shown(p.title), chrome(byline)];
  const takedown = `注意：本站部分文字内容、图片由网友投稿，如侵权请联系删除，联系邮箱：kf${p.rng.int(1000, 9999)}@example.com`;
  const tail = [chrome('展开全文'), chrome(takedown), chrome('打开APP阅读')];
  const html = page(
    `<title>${escapeHtml(p.title)}</title><meta name="viewport" content="width=device-width">`,
    `<section class="art"><h1 class="art-title">${escapeHtml(p.title)}</h1><div class="art-meta">${byline}</div>
<div class="art-body">${ps(p.body)}</div><div class="more">展开全文</div>
<p class="statement">${takedown}</p></section><a class="app">打开APP阅读</a>`,
  );
  const dayOnly = shape === 0 || shape >= 3;
  return { head, tail, publishedAt: dayOnly ? isoOf(date) : isoOf(date, clock), category: null, html };
}

function lawConsult(p: Parts): Rendered {
  const [date, clock] = split(p.time);
  const author = p.rng.pick(AUTHORS);
  const crumb = `位置:${p.site} > 资讯中心 > ${p.category} > 文章详情`;
  const byline = `博主:${author} ${date} ${clock}`;
  const head = [chrome(crumb), shown(p.title), chrome(byline)];
  const [prev = '', next = '', ...rest] = p.related;
  const tail = [
    chrome(`上一篇：${prev}`),
    chrome(`下一篇：${next}`),
    chrome('相关文章'),
    ...rest.map(chrome),
  ];
  const html = page(
    `<title>${escapeHtml(p.title)}-${p.site}</title>`,
    `<div class="weizhi">位置:<a>${p.site}</a> &gt; <a>资讯中心</a> &gt; <a>${p.category}</a> &gt; 文章详情</div>
<article><h1>${escapeHtml(p.title)}</h1><p class="meta">${byline}</p>${ps(p.body)}</article>
<div class="prenext"><p>上一篇：<a>${escapeHtml(prev)}</a></p><p>下一篇：<a>${escapeHtml(next)}</a></p></div>
<div class="xgwz"><h3>相关文章</h3><ul>${lis(rest)}</ul></div>`,
  );
  return { head, tail, publishedAt: isoOf(date, clock), category: p.category, html };
}

function docLibrary(p: Parts): Rendered {
  const [date, clock] = split(p.time);
  const byline = `文档序号:${p.rng.int(100000, 99999999)}发布日期:${date} ${clock.slice(0, 5)}阅读:${p.rng.int(1, 999)}来源:${p.site}`;
  const head = [chrome(`${p.category}资料汇编`), shown(p.title), chrome(byline), chrome(p.title)];
  const tail = [chrome('下载文档'), chrome('相关文档'), ...p.related.map(chrome)];
  const html = page(
    `<title>${escapeHtml(p.title)} - ${p.site}</title><script type="application/ld+json">${JSON.stringify({
      '@context': 'https://schema.org',
      '@type': 'Article',
      headline: p.title,
      datePublished: `${date}T${clock.slice(0, 5)}:00+08:00`,
    })}</script>`,
    `<div class="doc-head"><span>${p.category}资料汇编</span><h1>${escapeHtml(p.title)}</h1><div class="doc-info">${byline}</div></div>
<div class="doc-content"><h2>${escapeHtml(p.title)}</h2>${ps(p.body)}</div>
<a class="btn">下载文档</a><div class="related"><h3>相关文档</h3><ul>${lis(p.related)}</ul></div>`,
  );
  return { head, tail, publishedAt: isoOf(date, `${clock.slice(0, 5)}:00`), category: null, html };
}

function selfMedia(p: Parts): Rendered {
  const [date, clock] = split(p.time);
  const author = p.rng.pick(AUTHORS);
  const byline = `${author} 发布于 ${date} ${clock.slice(0, 5)}`;
  const views = `${p.rng.int(100, 9999)}人看过`;
  const head = [
    chrome(`#${p.category}那些事#`),
    shown(p.title),
    chrome(byline),
    chrome('关注'),
    chrome(views),
  ];
  const tail = [
    chrome('（图片来源网络，侵删）'),
    chrome(`点赞(${p.rng.int(0, 300)}) 评论 收藏`),
    chrome('免责声明：本文仅代表作者本人观点，与本站立场无关。'),
  ];
  const html = page(
    `<title>${escapeHtml(p.title)}</title><meta property="og:title" content="${escapeHtml(p.title)}"><meta property="article:published_time" content="${date}T${clock.slice(0, 5)}:00+08:00">`,
    `<div class="topic">#${p.category}那些事#</div><div class="post"><h1>${escapeHtml(p.title)}</h1>
<div class="author-bar"><span>${author}</span> 发布于 <time datetime="${date}T${clock.slice(0, 5)}:00+08:00">${date} ${clock.slice(0, 5)}</time> <button>关注</button></div>
<div class="views">${views}</div>
<div class="post-body">${ps(p.body)}<p class="credit">（图片来源网络，侵删）</p></div><div class="actions"><a>点赞</a> <a>评论</a> <a>收藏</a></div>
<p class="disclaimer">免责声明：本文仅代表作者本人观点，与本站立场无关。</p></div>`,
  );
  return {
    head,
    tail,
    publishedAt: isoOf(date, `${clock.slice(0, 5)}:00`),
    category: null,
    html,
  };
}

function oldPortal(p: Parts): Rendered {
  const [date, clock] = split(p.time);
  const [y, m, d] = date.split('-');
  const byline = `${y}年${m}月${d}日 ${clock}  来源: ${p.rng.pick(PAPERS)}  所属分类:${p.category}  编辑:${p.rng.pick(AUTHORS)}  阅读:   查看评论()`;
  // An old site is often a hacked one: a link farm's line injected above everything (black-hat SEO).
  const injected = `信用卡逾期怎么办,网贷逾期协商还款,征信修复多少钱,${p.site}主站蜘蛛池模板,小额贷款快速放款,个人信用贷款利率`;
  const head = [
    chrome(injected),
    chrome(p.site),
    chrome(`${p.site}>新闻>正在查看`),
    shown(p.title),
    chrome(byline),
  ];
  const tail = [chrome('【打印本页】【关闭窗口】')];
  const html = page(
    `<title>${escapeHtml(p.title)}</title>`,
    `<div style="position:absolute;left:-9999px">${injected}</div>
<table width="960"><tr><td>${p.site}</td></tr><tr><td>${p.site}&gt;新闻&gt;正在查看</td></tr>
<tr><td class="title">${escapeHtml(p.title)}</td></tr><tr><td class="date">${byline}</td></tr>
<tr><td class="content">${p.body.map((b) => `　　${escapeHtml(b)}`).join('<br><br>\n')}</td></tr>
<tr><td>【打印本页】【关闭窗口】</td></tr></table>`,
  );
  return { head, tail, publishedAt: isoOf(date, clock), category: p.category, html };
}

function qaSite(p: Parts): Rendered {
  const [date, clock] = split(p.time);
  const asked = `提问时间：${date} ${clock.slice(0, 5)}  分类：${p.category}`;
  const head = [chrome('问题'), shown(p.title), chrome(asked), chrome('回答')];
  const tail = [chrome('其他回答'), chrome('相关问题'), ...p.related.map(chrome)];
  const html = page(
    `<title>${escapeHtml(p.title)}_${p.site}</title>`,
    `<div class="question"><span class="label">问题</span><h1>${escapeHtml(p.title)}</h1><div class="q-info">${asked}</div></div>
<div class="answer"><span class="label">回答</span><div class="answer-text">${ps(p.body)}</div></div>
<div class="other"><h3>其他回答</h3></div><div class="relate"><h3>相关问题</h3><ul>${lis(p.related)}</ul></div>`,
  );
  return { head, tail, publishedAt: isoOf(date, `${clock.slice(0, 5)}:00`), category: p.category, html };
}

function twBlog(p: Parts): Rendered {
  const [date] = split(p.time);
  const updated = `更新日期: ${chineseDate(date)}　分類: ${p.category}`;
  const head = [shown(p.title), chrome(updated)];
  const tail = [
    chrome('發表意見'),
    chrome('本網站對留言內容保有修改或移除的權利，使用留言服務即表示同意本站規範。'),
  ];
  const html = page(
    `<title>${escapeHtml(p.title)} | ${p.site}</title>`,
    `<main><h1>${escapeHtml(p.title)}</h1><div class="post-date">${updated}</div><div class="entry-content">${ps(p.body)}</div>
<div id="comments"><h3>發表意見</h3><p>本網站對留言內容保有修改或移除的權利，使用留言服務即表示同意本站規範。</p></div></main>`,
  );
  return { head, tail, publishedAt: isoOf(date), category: p.category, html };
}

const RENDER: Record<LayoutFamily, (p: Parts) => Rendered> = {
  'news-portal': newsPortal,
  'forum-thread': forumThread,
  'bank-faq': bankFaq,
  'mobile-card': mobileCard,
  'law-consult': lawConsult,
  'doc-library': docLibrary,
  'self-media': selfMedia,
  'old-portal': oldPortal,
  'qa-site': qaSite,
  'tw-blog': twBlog,
};

/**
 * Page `index` of site `siteIndex` in `family`: the same arguments give the same page. `slogan`:
 * the dump carries the site's slogan between the byline and the body, a line no shape tells from
 * the article's (only its repetition across the site's pages does).
 */
export function layoutPage(
  family: LayoutFamily,
  siteIndex: number,
  index: number,
  slogan = false,
): LayoutPage {
  const familyIndex = LAYOUT_FAMILIES.indexOf(family);
  const seed = 90_000 + familyIndex * 10_000 + siteIndex * 1_000 + index;
  const article = generateArticle(seed);
  const rng = new Rng(seed).fork('layout');
  const site = SITE_NAMES[(familyIndex + siteIndex) % SITE_NAMES.length] as string;
  const body = [...article.paragraphs];
  // A sentence holding a chrome word, somewhere in the body.
  if (rng.chance(0.6)) body.splice(rng.int(1, body.length), 0, rng.pick(SACRED));
  const related = [1, 2, 3].map((k) => generateArticle(seed * 13 + k).title);
  const traditional = family === 'tw-blog';
  const script = (text: string) => (traditional ? fromHans(text, 'tw') : text);
  const parts: Parts = {
    article,
    rng,
    site,
    title: script(article.title),
    category: script(article.category),
    time: article.time,
    body: body.map(script),
    related: related.map(script),
  };
  const rendered = RENDER[family](parts);
  const sloganLines = slogan ? [chrome(`${site}，陪你读懂每一笔钱`)] : [];
  const lines = [...rendered.head, ...sloganLines, ...parts.body.map(shown), ...rendered.tail];
  return {
    family,
    url: `https://${familyIndex}-${siteIndex}.layouts.example/a/${index}.html`,
    site: `${family}/${site}`,
    html: rendered.html,
    dump: `${lines.map((l) => l.text).join('\n')}\n`,
    truth: {
      title: parts.title,
      publishedAt: rendered.publishedAt,
      category: rendered.category,
      paragraphs: parts.body,
      boilerplate: lines.filter((l) => l.chrome).map((l) => l.text),
    },
  };
}

/** `sites` sites of each family, `pages` pages each. */
export function layoutPages(sites: number, pages: number): LayoutPage[] {
  const out: LayoutPage[] = [];
  for (const family of LAYOUT_FAMILIES)
    for (let s = 0; s < sites; s++) for (let i = 0; i < pages; i++) out.push(layoutPage(family, s, i));
  return out;
}
