/**
 * Renders a clean article as the page a content farm would serve, in three unlike layouts, so
 * that tests (and the fixture web server) can check that extraction gives the article back.
 * All site names, chrome text and comments here are invented.
 *
 * - `portal`: a modern news portal: header nav, `当前位置` breadcrumb, ad block inside the body,
 *   share bar, pager, related links and `精彩评论` known only by their titles, sidebar, ICP footer.
 * - `farm-table`: an old table-layout farm: `<td>` body with `<br>`-separated, `　　`-indented and
 *   hard-wrapped paragraphs, `<b>` headings, inline ads, title only in `<title>`, Chinese date.
 * - `ruby-blog`: a blog with `<article>`, Open Graph/`article:*` meta, `<time>`, JSON-LD, and
 *   `<ruby>` readings on the characters given in `rubyReadings`.
 */

export interface TemplateArticle {
  title: string;
  category: string;
  /** `YYYY-MM-DD HH:MM:SS`, China time. */
  publishedAt: string;
  paragraphs: string[];
  /** Paragraphs rendered as headings. */
  headingIndexes?: number[];
}

export type TemplateName = 'portal' | 'farm-table' | 'ruby-blog';
export const TEMPLATE_NAMES: readonly TemplateName[] = ['portal', 'farm-table', 'ruby-blog'];

export interface RenderOptions {
  /** Charset declared in the page (default `utf-8`); `''` leaves the declaration out. */
  charsetMeta?: string;
  /** Titles for the related-links blocks. */
  relatedTitles?: string[];
  /** Character → tone-marked reading; `ruby-blog` wraps those characters in `<ruby>`. */
  rubyReadings?: Map<string, string>;
  /**
   * Forum anti-copy text after each `，` of the body: a Discuz `<font class="jammer">` or a
   * `display:none` span of ASCII junk, which a reader never sees and a copy of the text carries.
   * Only where a paragraph is printed whole (not `farm-table`'s hard-wrapped lines).
   */
  jammer?: boolean;
}

export const DEFAULT_RELATED_TITLES = [
  '公积金贷款和商业贷款哪个更划算',
  '信用报告多久更新一次',
  '基金定投什么时候止盈比较好',
  '逾期后协商还款要准备什么材料',
];

/** The time string as each template prints it, i.e. what extraction should return verbatim. */
export function shownTime(publishedAt: string, template: TemplateName): string {
  const [date = '', time = ''] = publishedAt.split(' ');
  const [y, m, d] = date.split('-').map(Number);
  if (template === 'farm-table') return `${y}年${m}月${d}日 ${time.slice(0, 5)}`;
  if (template === 'ruby-blog') return `${date}T${time}+08:00`;
  return publishedAt;
}

export function renderArticlePage(
  article: TemplateArticle,
  template: TemplateName,
  options: RenderOptions = {},
): string {
  const related = options.relatedTitles ?? DEFAULT_RELATED_TITLES;
  const charset = options.charsetMeta ?? 'utf-8';
  let html: string;
  if (template === 'portal') html = portal(article, related, charset);
  else if (template === 'farm-table') html = farmTable(article, related, charset);
  else html = rubyBlog(article, related, charset, options.rubyReadings ?? new Map());
  return options.jammer ? withJammer(html, article) : html;
}

const JUNK = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ0123456789.$@#&';

/** Jammer text after each `，` of every body paragraph printed whole (headings left alone). */
function withJammer(html: string, article: TemplateArticle): string {
  let n = 0;
  const junk = () => {
    n++;
    const chars = Array.from({ length: 3 + (n % 6) }, (_, i) => JUNK[(n * 7 + i * 13) % JUNK.length]);
    // Discuz joins its junk with spaces now and then: `6 h. V1 j$ @1`.
    if (n % 2 === 0) chars.splice(2, 0, ' ');
    return escapeHtml(chars.join(''));
  };
  for (const [i, paragraph] of article.paragraphs.entries()) {
    if (isHeading(article, i)) continue;
    const shown = escapeHtml(paragraph);
    const jammed = shown.replace(/，/g, () =>
      n % 3 === 2
        ? `，<span style="display: none">${junk()}</span>`
        : `，<font class="jammer">${junk()}</font>`,
    );
    // Only where the paragraph is text: the meta description may quote it in an attribute.
    const asText = new RegExp(`(?<!")${shown.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'g');
    html = html.replace(asText, () => jammed);
  }
  return html;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const isHeading = (article: TemplateArticle, i: number) => article.headingIndexes?.includes(i) ?? false;

function portal(article: TemplateArticle, related: string[], charset: string): string {
  const site = '财问百科网';
  const body = article.paragraphs
    .map((p, i) => {
      const block = isHeading(article, i)
        ? `<h3>${escapeHtml(p)}</h3>`
        : `<p>\n              ${escapeHtml(p)}\n            </p>`;
      // An image paragraph and an ad after the second block, as such portals insert them.
      if (i !== 1) return block;
      return `${block}
            <p style="text-align:center"><img src="/uploads/2024/10/pic${i}.jpg" alt="示意图"></p>
            <div class="ad-box"><script>var slot = 'art-mid';</script><a href="https://ad.example.com/loan?from=portal" target="_blank">低息快贷，最高可借二十万，点击立即申请</a></div>`;
    })
    .join('\n            ');
  const relatedItems = related
    .map(
      (t, i) =>
        `<li><a href="/licai/2024/0${i + 1}/${1000 + i}.html">${escapeHtml(t)}</a><span>2024-0${i + 1}-12</span></li>`,
    )
    .join('\n          ');
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
${charset ? `<meta charset="${charset}">` : ''}
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<title>${escapeHtml(article.title)}_${escapeHtml(article.category)}_${site}</title>
<meta name="keywords" content="${escapeHtml(article.category)},理财,贷款,信用卡">
<meta name="description" content="${escapeHtml((article.paragraphs.find((_, i) => !isHeading(article, i)) ?? '').slice(0, 60))}">
<link rel="stylesheet" href="/static/css/style.css?v=20240301">
<style>.art_content p{text-indent:2em;line-height:1.9}</style>
<script>var _hmt = _hmt || []; (function(){ var hm = document.createElement("script"); hm.src = "https://stats.example.com/hm.js"; })();</script>
</head>
<body>
<div class="topbar"><div class="w1200">欢迎来到${site}！<a href="/member/login.html">登录</a> | <a href="/member/reg.html">注册</a></div></div>
<header class="site-header">
  <div class="logo"><a href="/"><img src="/static/images/logo.png" alt="${site}"></a></div>
  <nav class="main-nav"><ul>
    <li><a href="/">首页</a></li><li><a href="/licai/">理财问答</a></li><li><a href="/daikuan/">贷款知识</a></li>
    <li><a href="/xinyongka/">信用卡</a></li><li><a href="/baoxian/">保险常识</a></li>
  </ul></nav>
</header>
<div class="wrap w1200">
  <div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/licai/">${escapeHtml(article.category)}</a> &gt; 正文</div>
  <div class="main-left">
    <div class="article-box">
      <h1 class="art-title">${escapeHtml(article.title)}</h1>
      <div class="art-info"><span>来源：${site}</span><span>${escapeHtml(article.publishedAt)}</span><span>阅读：<em id="hits">1024</em>次</span></div>
      <div class="art_content">
            ${body}
      </div>
      <div class="share-bar">分享到：<a href="javascript:void(0)" class="wx">微信</a><a href="javascript:void(0)" class="wb">微博</a><a href="#top">返回顶部</a></div>
      <div class="pager">上一篇：<a href="/licai/2024/0912/998.html">${escapeHtml(related[0] ?? '')}</a><br>下一篇：<a href="/licai/2024/1005/1001.html">${escapeHtml(related[1] ?? '')}</a></div>
    </div>
    <div class="box">
      <div class="box-title"><h3>相关推荐</h3></div>
      <ul class="list">
          ${relatedItems}
      </ul>
    </div>
    <div class="box">
      <div class="box-title"><h3>精彩评论</h3></div>
      <ul class="cmt-list">
        <li><span class="user">网友小鹿</span><p>写得很清楚，照着做已经解决了，谢谢小编！</p><span class="t">2024-10-05 08:12:45</span></li>
        <li><span class="user">路过的会计</span><p>补充一句：遇到问题先打官方客服，不要相信所谓的代办中介。</p><span class="t">2024-10-06 21:40:02</span></li>
      </ul>
    </div>
  </div>
  <div class="sidebar">
    <div class="widget"><h3>热门文章</h3><ul>${related.map((t, i) => `<li><a href="/hot/${i}.html">${escapeHtml(t)}</a></li>`).join('')}</ul></div>
    <div class="widget ads"><a href="https://ad.example.com/card"><img src="/static/ad/card.jpg" alt="信用卡推广"></a></div>
  </div>
</div>
<footer class="footer">
  <p><a href="/about.html">关于我们</a> | <a href="/contact.html">联系我们</a> | <a href="/sitemap.xml">网站地图</a></p>
  <p>Copyright © 2019-2024 ${site} 版权所有 <a href="https://beian.miit.gov.cn/" rel="nofollow">京ICP备19000000号-1</a></p>
  <p>声明：本站内容仅供参考，不构成投资建议。</p>
</footer>
<script>alert(1)</script>
<script src="/static/js/common.js"></script>
</body>
</html>
`;
}

/** Old CMSs hard-wrap long lines; only between two Han characters, where a break is no space. */
function hardWrap(text: string, width = 28): string {
  const chars = [...text];
  let out = '';
  let run = 0;
  for (const [i, ch] of chars.entries()) {
    out += escapeHtml(ch);
    run++;
    const next = chars[i + 1] ?? '';
    if (run >= width && /\p{Script=Han}/u.test(ch) && /\p{Script=Han}/u.test(next)) {
      out += '\r\n';
      run = 0;
    }
  }
  return out;
}

function farmTable(article: TemplateArticle, related: string[], charset: string): string {
  const site = '理财知识大全网';
  const lines = article.paragraphs.map((p, i) => {
    const line = isHeading(article, i) ? `<b>${escapeHtml(p)}</b><br>` : `　　${hardWrap(p)}<br>`;
    // Inline ads in the running text, the way such farms paste them.
    if (i === 1) return `${line}\r\n<div class=gg><script src="/js/gg_336.js"></script></div>`;
    if (i === 2)
      return `${line}\r\n<span class=ad1><a href="http://ad.example.com/?u=77">【推广】征信花了也能借，三分钟出额度</a></span><br>`;
    return line;
  });
  return `<html>
<head>
${charset ? `<meta http-equiv="Content-Type" content="text/html; charset=${charset}">` : ''}
<title>${escapeHtml(article.title)}_${site}</title>
<meta name="keywords" content="${escapeHtml(article.title)}">
<style type="text/css">td{font-size:12px;line-height:22px}.zw{font-size:14px}</style>
<script language="javascript">function addfav(){window.external.addFavorite(location.href,'${site}');}</script>
</head>
<body topmargin=0 leftmargin=0>
<!-- 顶部 开始 -->
<table width=960 border=0 align=center cellpadding=0 cellspacing=0>
<tr><td width=200><a href="/"><img src="/images/logo.gif" border=0></a></td>
<td align=right><a href="/">网站首页</a> | <a href="/list/1.html">贷款知识</a> | <a href="/list/2.html">理财问答</a> | <a href="/list/3.html">银行服务</a> | <a href="javascript:addfav()">加入收藏</a></td></tr>
</table>
<!-- 顶部 结束 -->
<table width=960 border=0 align=center cellpadding=0 cellspacing=0>
<tr>
<td width=700 valign=top>
  <table width="100%" border=0 cellpadding=4 cellspacing=0>
  <tr><td class=weizhi>您现在的位置：<a href="/">首页</a>&gt;&gt;<a href="/list/2.html">${escapeHtml(article.category)}</a>&gt;&gt;正文</td></tr>
  <tr><td align=center class=biaoti height=40><font size=4 color="#cc0000"><b>${escapeHtml(article.title)}</b></font></td></tr>
  <tr><td align=center class=xinxi>作者：佚名&nbsp;&nbsp;时间：${shownTime(article.publishedAt, 'farm-table')}&nbsp;&nbsp;点击：<script src="/count.asp?id=4127"></script>次</td></tr>
  <tr><td class=zw>
${lines.join('\r\n')}
  </td></tr>
  <tr><td>上一篇：<a href="/html/4126.html">${escapeHtml(related[0] ?? '')}</a><br>下一篇：<a href="/html/4128.html">${escapeHtml(related[1] ?? '')}</a></td></tr>
  <tr><td class=xgwz><b>相关文章</b><br>${related.map((t, i) => `·<a href="/html/${4000 + i}.html">${escapeHtml(t)}</a><br>`).join('')}</td></tr>
  </table>
</td>
<td width=10></td>
<td width=250 valign=top class=right>
  <table width="100%"><tr><td><b>最新文章</b></td></tr>
  ${related.map((t, i) => `<tr><td>·<a href="/html/${4200 + i}.html">${escapeHtml(t)}</a></td></tr>`).join('\r\n  ')}
  </table>
</td>
</tr>
</table>
<table width=960 align=center><tr><td align=center>Copyright 2008-2024 ${site} All Rights Reserved 备案号：粤ICP备08000000号<br>
<script>alert(1)</script></td></tr></table>
</body>
</html>
`;
}

function withRuby(text: string, readings: Map<string, string>): string {
  return [...text]
    .map((ch) => {
      const reading = readings.get(ch);
      return reading ? `<ruby>${ch}<rp>(</rp><rt>${reading}</rt><rp>)</rp></ruby>` : escapeHtml(ch);
    })
    .join('');
}

function rubyBlog(
  article: TemplateArticle,
  related: string[],
  charset: string,
  readings: Map<string, string>,
): string {
  const blog = '小錢錢筆記';
  const iso = shownTime(article.publishedAt, 'ruby-blog');
  const body = article.paragraphs
    .map((p, i) =>
      isHeading(article, i)
        ? `<h2 id="s${i}">${withRuby(p, readings)}</h2>`
        : `<p>${withRuby(p, readings)}</p>`,
    )
    .join('\n');
  const jsonLd = JSON.stringify({
    '@context': 'https://schema.org',
    '@type': 'Article',
    headline: article.title,
    datePublished: iso,
  });
  return `<!doctype html>
<html lang="zh-Hant">
<head>
${charset ? `<meta charset="${charset}">` : ''}
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(article.title)} | ${blog}</title>
<meta property="og:type" content="article">
<meta property="og:title" content="${escapeHtml(article.title)}">
<meta property="og:site_name" content="${blog}">
<meta property="article:published_time" content="${iso}">
<meta property="article:section" content="${escapeHtml(article.category)}">
<script type="application/ld+json">${jsonLd}</script>
<style>ruby rt{font-size:.55em;color:#999}</style>
</head>
<body class="single single-post post-template">
<div class="site">
<header class="blog-header">
  <a class="brand" href="/">${blog}</a>
  <nav class="menu"><a href="/category/loan/">貸款</a><a href="/category/card/">信用卡</a><a href="/about/">關於</a></nav>
</header>
<main class="container">
<article class="post" itemscope itemtype="https://schema.org/Article">
  <header class="post-header">
    <h1 class="post-title" itemprop="headline">${withRuby(article.title, readings)}</h1>
    <div class="post-meta"><time datetime="${iso}">${escapeHtml(article.publishedAt.slice(0, 10))}</time> · <a rel="category tag" href="/category/${encodeURIComponent(article.category)}/">${escapeHtml(article.category)}</a></div>
  </header>
  <div class="entry-content" itemprop="articleBody">
${body}
  </div>
  <div class="post-share">分享：<a href="https://social.example.com/share?u=/p/1">Facebook</a> <a href="https://line.example.com/share?u=/p/1">LINE</a></div>
  <footer class="post-footer"><span class="tags">標籤：<a href="/tag/finance/">理財</a> <a href="/tag/faq/">問答</a></span></footer>
</article>
<nav class="post-navigation"><a rel="prev" href="/p/122/">« ${escapeHtml(related[0] ?? '')}</a><a rel="next" href="/p/124/">${escapeHtml(related[1] ?? '')} »</a></nav>
<section id="comments" class="comments-area">
  <h2 class="comments-title">評論 (2)</h2>
  <ol class="comment-list">
    <li><b>阿德</b> <time datetime="2024-11-02T10:00:00+08:00">2024-11-02</time><p>原來如此，之前一直搞不懂這個問題，感謝整理。</p></li>
    <li><b>Mina</b> <time datetime="2024-11-03T18:30:00+08:00">2024-11-03</time><p>想請問如果已經錯過期限，還有補救的機會嗎？</p></li>
  </ol>
  <form class="comment-form"><textarea name="c"></textarea><button>送出留言</button></form>
</section>
<aside class="related-posts"><h3>相關推薦</h3><ul>${related.map((t, i) => `<li><a href="/p/${200 + i}/">${escapeHtml(t)}</a></li>`).join('')}</ul></aside>
</main>
<footer class="site-footer">© 2024 ${blog} · 本站文章僅供參考</footer>
</div>
<script>alert(1)</script>
</body>
</html>
`;
}
