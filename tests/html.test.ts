import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractArticle } from '../src/normalize/html.js';
import {
  DEFAULT_RELATED_TITLES,
  renderArticlePage,
  shownTime,
  TEMPLATE_NAMES,
  type TemplateArticle,
} from './support/html-templates.js';

/** Short finance-FAQ articles written for these tests, two in each script. */
const ARTICLES: TemplateArticle[] = [
  {
    title: '信用卡逾期一天会上征信吗',
    category: '信用卡',
    publishedAt: '2024-03-15 09:08:00',
    headingIndexes: [0, 2, 4, 6],
    paragraphs: [
      '小编导语',
      '不少持卡人因为忙碌忘记还款，晚了一天才想起来，于是担心自己的信用记录从此留下污点。其实，逾期一天是否上报征信，要看银行的具体规定。',
      '一、银行通常有宽限期',
      '多数银行为持卡人提供3天左右的还款宽限期，只要在宽限期内全额还款，一般不会被视为逾期，也不会上报征信系统。',
      '二、宽限期外的影响',
      '如果超过宽限期仍未还款，银行可能收取违约金，并在下一次报送时把逾期记录报给中国人民银行征信中心。',
      '三、补救办法',
      '发现逾期后应尽快还清欠款，并主动联系客服说明情况。对于非恶意的短期逾期，部分银行可以申请“非恶意逾期证明”。',
    ],
  },
  {
    title: '網貸提前還款需要注意哪些問題',
    category: '貸款知識',
    publishedAt: '2024-10-02 23:26:37',
    headingIndexes: [1, 3, 5],
    paragraphs: [
      '很多借款人手頭寬裕之後，想把網貸提前還清，以減少利息支出。不過，提前還款並不總是划算，還需要留意以下幾點。',
      '1.1 是否收取違約金',
      '部分平台在合同中約定了提前還款手續費，一般為剩餘本金的1%至3%。申請之前，最好先查看借款合同的相關條款。',
      '1.2 利息如何計算',
      '等額本息的產品，前期還的多是利息；越往後提前還款，能節省的利息就越少。',
      '1.3 還款後記得索取結清證明',
      '還清之後，可以向平台申請結清證明，並在一個月後查詢個人信用報告，確認賬戶狀態已更新為“結清”。',
    ],
  },
  {
    title: '余额宝的收益为什么每天都不一样',
    category: '理财问答',
    publishedAt: '2023-12-01 14:30:05',
    headingIndexes: [1, 3, 5],
    paragraphs: [
      '打开支付宝APP查看余额宝时，很多人会发现每天到账的收益有高有低。这是正常现象，并不代表资金出了问题。',
      '收益为什么会波动',
      '余额宝对接的是货币市场基金，基金的收益来自银行协议存款、国债逆回购等短期资产，这些资产的利率每天都在变化。',
      '怎么看懂七日年化',
      '“七日年化收益率(7日)”是把最近七天的平均收益折算成一年的水平，例如显示1.80%，并不等于一年一定能拿到这个数。',
      '周末和节假日的收益',
      '周五转入的资金要到下周一才开始计算收益，因此在节假日前转入，往往要多等几天才能看到收益。',
    ],
  },
  {
    title: '銀行卡被凍結了怎麼辦',
    category: '銀行服務',
    publishedAt: '2024-06-20 08:05:00',
    headingIndexes: [1, 3, 5],
    paragraphs: [
      '收到銀行簡訊說卡片被凍結，先不要慌張，也不要點擊簡訊裡的陌生連結。',
      '常見的凍結原因',
      '帳戶長期不用、交易異常、涉及司法查詢，都可能導致銀行卡被凍結或限制非櫃面交易。',
      '解凍的步驟',
      '攜帶本人身分證件到開戶網點，向櫃員說明資金來源與用途；如果是司法凍結，則需要先聯繫辦案機關。',
      '平時多注意',
      '不要出租、出借自己的銀行卡，也不要替陌生人轉帳，以免捲入詐騙案件。',
    ],
  },
];

const READINGS = new Map([
  ['網', 'wǎng'],
  ['貸', 'dài'],
  ['還', 'huán'],
  ['違', 'wéi'],
  ['約', 'yuē'],
  ['證', 'zhèng'],
  ['導', 'dǎo'],
  ['凍', 'dòng'],
  ['帳', 'zhàng'],
]);

const PAGE_URL = 'https://www.example.cn/licai/2024/1002/100.html';
const CHROME_TEXT = [
  'alert(1)',
  '精彩评论',
  '評論',
  '相关推荐',
  '相關推薦',
  '热门文章',
  '最新文章',
  '分享',
  '上一篇',
  'ICP',
  '低息',
  '推广',
];

describe.each(TEMPLATE_NAMES)('extractArticle on the %s template', (template) => {
  it.each(ARTICLES.map((a) => [a.title, a] as const))('gives back %s exactly', (_, article) => {
    const html = renderArticlePage(article, template, { rubyReadings: READINGS });
    const got = extractArticle(html, { url: PAGE_URL });
    expect(got.title).toBe(article.title);
    expect(got.category).toBe(article.category);
    expect(got.publishedAt).toBe(shownTime(article.publishedAt, template));
    expect(got.paragraphs).toEqual(article.paragraphs);
  });

  it('drops scripts, navigation, comments, related links and ads', () => {
    const article = ARTICLES[0] as TemplateArticle;
    const got = extractArticle(renderArticlePage(article, template), { url: PAGE_URL });
    const text = [got.title, ...got.paragraphs].join('\n');
    for (const chrome of [...CHROME_TEXT, ...DEFAULT_RELATED_TITLES]) expect(text).not.toContain(chrome);
    expect(got.removed.some((r) => r.what === 'script' && r.text.includes('alert(1)'))).toBe(true);
    expect(got.removed.every((r) => r.kind === 'html' && r.text.length > 0 && [...r.text].length <= 80)).toBe(
      true,
    );
    const kinds = new Set(got.removed.map((r) => r.what));
    expect(kinds.has('related')).toBe(true);
    if (template !== 'farm-table') expect(kinds.has('comments')).toBe(true);
  });

  it('lists every link as an absolute URL', () => {
    const got = extractArticle(renderArticlePage(ARTICLES[1] as TemplateArticle, template), {
      url: PAGE_URL,
    });
    expect(got.links.length).toBeGreaterThan(5);
    for (const link of got.links) expect(link).toMatch(/^https?:\/\//);
    expect(got.links.some((l) => l.startsWith('javascript:'))).toBe(false);
    expect(new Set(got.links).size).toBe(got.links.length);
  });

  it('does not depend on the declared charset', () => {
    const article = ARTICLES[3] as TemplateArticle;
    for (const charsetMeta of ['gbk', 'big5', '']) {
      const html = renderArticlePage(article, template, { charsetMeta });
      if (charsetMeta) expect(html).toContain(charsetMeta);
      expect(extractArticle(html).paragraphs).toEqual(article.paragraphs);
    }
  });
});

describe('hidden anti-copy text', () => {
  // farm-table hard-wraps its paragraphs, so the jammer has nowhere to go there.
  it.each(['portal', 'ruby-blog'] as const)(
    'is dropped from %s pages, the article kept whole',
    (template) => {
      for (const article of ARTICLES) {
        const plain = extractArticle(renderArticlePage(article, template), {
          url: 'https://farm.example/a/1.html',
        });
        const html = renderArticlePage(article, template, { jammer: true });
        expect(html).toContain('class="jammer"');
        const jammed = extractArticle(html, { url: 'https://farm.example/a/1.html' });
        expect(jammed.paragraphs).toEqual(plain.paragraphs);
        const hidden = jammed.removed.filter((r) => r.what === 'hidden-text');
        expect(hidden.length).toBe((html.match(/jammer|display: none/g) ?? []).length);
      }
    },
  );

  it('keeps a hidden block (an article folded until 展开全文) and long hidden inline text', () => {
    const rest = '逾期超过九十天的记录，会在征信报告中保留五年，之后自动删除。'.repeat(2);
    const html = `<html><body><article><h1>征信记录保留多久</h1><p>逾期记录并不会永远留在征信报告里。</p>
<div style="display:none" id="fold">${rest}</div><p>注意<span hidden>${rest}</span>按时还款。</p></article></body></html>`;
    const got = extractArticle(html, { url: 'https://farm.example/a/2.html' });
    expect(got.paragraphs.join('\n')).toContain(rest);
    expect(got.paragraphs.filter((p) => p.includes(rest))).toHaveLength(2);
  });
});

describe('ruby annotations', () => {
  it('keeps the base text and drops the readings', () => {
    const article = ARTICLES[1] as TemplateArticle;
    const html = renderArticlePage(article, 'ruby-blog', { rubyReadings: READINGS });
    expect(html).toContain('<rt>wǎng</rt>');
    const got = extractArticle(html);
    expect(got.title).toBe(article.title);
    expect(got.paragraphs.join('')).not.toMatch(/[a-zāáǎàēéěèīíǐìōóǒòūúǔù]{2,}|[()]/);
    expect(got.removed).toContainEqual({ kind: 'html', what: 'ruby-annotation', text: '網(wǎng)' });
  });

  it('handles the markup from the fault list', () => {
    const html =
      '<p>小編<ruby>導<rp>(</rp><rt>dǎo</rt><rp>)</rp></ruby>語</p><p>互<ruby>聯<rt>lián</rt></ruby>網</p>';
    expect(extractArticle(html).paragraphs).toEqual(['小編導語', '互聯網']);
  });
});

describe('paragraphs', () => {
  it('splits at <br>, trims full-width indents and joins hard-wrapped CJK lines', () => {
    const html = `<div class="content">　　第一段文字，
    接着写完。<br>　　第二段 text with\n spaces<br/><br/>第三段</div>`;
    expect(extractArticle(html).paragraphs).toEqual([
      '第一段文字，接着写完。',
      '第二段 text with spaces',
      '第三段',
    ]);
  });

  it('keeps headings, list items, quotes and cells in document order', () => {
    const html = `<article><h2>一、标题</h2><div>直接写在div里的文字<p>段落</p>尾巴</div>
      <ul><li>第一项</li><li>第二项</li></ul><blockquote>引用</blockquote><table><tr><td>单元格</td></tr></table></article>`;
    expect(extractArticle(html).paragraphs).toEqual([
      '一、标题',
      '直接写在div里的文字',
      '段落',
      '尾巴',
      '第一项',
      '第二项',
      '引用',
      '单元格',
    ]);
  });

  it('drops the title and a lone byline repeated in the body (seed 002 shape)', () => {
    const html = `<html><head><title>为啥小米金融给我发信息 - 某某法务网</title></head><body>
      <div class="content"><p>为啥小米金融给我发信息</p><p>逾期法务 2024-10-02 23:26:37</p><p>小编导语</p>
      <p>很多用户在使用的过程中，可能会收到来自该平台的各种信息。</p><p>为啥小米金融给我发信息</p>
      <p>一、小米金融</p></div></body></html>`;
    const got = extractArticle(html);
    expect(got.title).toBe('为啥小米金融给我发信息');
    expect(got.publishedAt).toBe('2024-10-02 23:26:37');
    expect(got.paragraphs).toEqual([
      '小编导语',
      '很多用户在使用的过程中，可能会收到来自该平台的各种信息。',
      '一、小米金融',
    ]);
    expect(got.removed.filter((r) => r.what === 'title')).toHaveLength(2);
    expect(got.removed).toContainEqual({
      kind: 'html',
      what: 'byline',
      text: '逾期法务 2024-10-02 23:26:37',
    });
  });
});

describe('chrome by class name', () => {
  it('keeps a wrapper that merely mentions a sidebar, and ignores prototype-like names', () => {
    const html = `<div class="wrap has-sidebar constructor"><div class="toString">
      <p>公积金余额可以通过当地公积金中心的官方网站或者手机应用查询，十分方便。</p>
      <p>也可以拨打服务热线，按照语音提示输入个人信息进行查询。</p></div>
      <div class="side"><a href="/1">公积金贷款利率是多少</a></div><div class="position-relative">正文后的小字</div></div>`;
    expect(extractArticle(html).paragraphs).toEqual([
      '公积金余额可以通过当地公积金中心的官方网站或者手机应用查询，十分方便。',
      '也可以拨打服务热线，按照语音提示输入个人信息进行查询。',
    ]);
  });
});

describe('metadata', () => {
  it('cuts the site suffix from <title> and reads a 分类 label and a Chinese date', () => {
    const html = `<title>公积金能不能提前支取_公积金问答_某某网</title><div class="info">分类：公积金 发布于 2024年3月5日 10:20</div>
      <div id="text"><p>可以，但需要满足购房、租房或离职等条件，具体以当地公积金中心规定为准。</p></div>`;
    const got = extractArticle(html);
    expect(got.title).toBe('公积金能不能提前支取');
    expect(got.category).toBe('公积金');
    expect(got.publishedAt).toBe('2024年3月5日 10:20');
  });

  it('uses explicit selectors over the heuristics', () => {
    const html = `<h1>网站名称</h1><div class="content"><p>这是一段很长的正文，但并不是我们想要的那一段，因为站点配置指定了别的容器。</p></div>
      <div class="x-title">真正的标题</div><span class="x-cat">真正的分类</span><span class="x-time">发布：2022-01-02 03:04</span>
      <section class="x-body"><p>指定容器里的文字。</p></section>`;
    const got = extractArticle(html, {
      selectors: { title: '.x-title', body: '.x-body', category: '.x-cat', time: '.x-time' },
    });
    expect(got).toMatchObject({
      title: '真正的标题',
      category: '真正的分类',
      publishedAt: '2022-01-02 03:04',
      paragraphs: ['指定容器里的文字。'],
    });
  });

  it('falls back to the heuristics when a selector is broken or matches nothing', () => {
    const html = '<article><h1>标题</h1><p>正文内容在这里。</p></article>';
    const got = extractArticle(html, { selectors: { body: '[[[', title: '.missing' } });
    expect(got.title).toBe('标题');
    expect(got.paragraphs).toEqual(['正文内容在这里。']);
  });
});

describe('robustness', () => {
  it('never throws and returns no paragraphs for garbage', () => {
    const deep = `${'<div>'.repeat(5000)}深${'</div>'.repeat(5000)}`;
    for (const input of ['', '<<<>>>', '\u0000\u0001\uFFFD\uFFFD', '<script>alert(1)</script>', deep]) {
      const got = extractArticle(input);
      expect(got.paragraphs.join('')).not.toContain('alert(1)');
    }
    expect(extractArticle('').paragraphs).toEqual([]);
    // Deep nesting is walked iteratively, not given up on.
    expect(extractArticle(deep).paragraphs).toEqual(['深']);
    expect(extractArticle(null as unknown as string).paragraphs).toEqual([]);
  });

  it('never throws on arbitrary strings and bytes read as Latin-1', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.uint8Array().map((b) => Buffer.from(b).toString('latin1')),
        ),
        (s) => {
          const got = extractArticle(s, { url: 'not a url' });
          expect(Array.isArray(got.paragraphs)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
