import { describe, expect, it } from 'vitest';
import { DeletionCycle } from '../../src/normalize/deleted-words/cycle.js';
import { readMetaLine } from '../../src/normalize/layout/fields.js';
import { lineShape } from '../../src/normalize/layout/line-shapes.js';
import { readPageLayout } from '../../src/normalize/layout/page-model.js';
import { SourceTemplates } from '../../src/normalize/layout/templates.js';
import { draftDocument, finalizeRecord, normalizeDocument } from '../../src/normalize/pipeline.js';
import type { DraftDocument } from '../../src/records/draft.js';
import { generateArticle } from '../support/article-generator.js';
import { injectFaults } from '../support/fault-injector.js';
import { emptyScore, foldText, scorePage } from '../support/layout-eval.js';
import { LAYOUT_FAMILIES, type LayoutPage, layoutPage, layoutPages } from '../support/layouts.js';

const layout = (lines: string[]) => readPageLayout(lines, lines);

describe('line shapes', () => {
  it.each([
    ['当前位置：首页 > 信用卡 > 正文', 'breadcrumb'],
    ['某某网>新闻>正在查看', 'breadcrumb'],
    ['卡中心 >  银行公告 >  某银行 >  某银行信用卡章程', 'breadcrumb'],
    ['时间:01-17人气:21作者:某某', 'byline'],
    ['2022年03月16日 10:49:56  来源: 某报  所属分类:快讯  编辑:某某  阅读:   查看评论()', 'byline'],
    ['发表于 2011-7-18 12:19:33 | 显示全部楼层 |阅读模式', 'byline'],
    ['文档序号:24985136发布日期:2021-05-07 23:02阅读:97来源:某局', 'byline'],
    ['更新日期: 2025年10月31日', 'byline'],
    ['| 會員登錄 | 站點地圖 | 聯系我們 | 設為首頁 | 加入收藏', 'navigation'],
    ['点赞(12) 评论 收藏', 'widget'],
    ['【打印本页】【关闭窗口】', 'widget'],
    ['#某某那些事#', 'navigation'],
    ['注意：本站部分文字内容、图片由网友投稿，如侵权请联系删除，联系邮箱：kf1@example.com', 'takedown'],
    ['如有侵权请联系删除', 'takedown'],
    ['免责声明：本文仅代表作者本人观点，与本站立场无关。', 'disclaimer'],
    ['本網站對留言內容保有修改或移除的權利，使用留言服務即表示同意本站規範。', 'disclaimer'],
    ['Copyright © 2024 某某网 版权所有 京ICP备12345678号', 'copyright'],
    ['某官方网站,某某,某APP下载', 'spam'],
    ['上图为网友分享', 'caption'],
    ['贷款大数据老是过不了？可能是这些原因在作怪！  第1张', 'caption'],
    ['征信记录多久清空一次相关经验', 'navigation'],
    ['点击展开全文', 'navigation'],
    ['阅读下一篇：信用卡分期怎么算利息', 'navigation'],
    ['本文地址：http://farm.example/a/1.html', 'navigation'],
    ['方法/步骤', 'navigation'],
    ['热搜：', 'navigation'],
    ['（图片来源网络，侵删）', 'caption'],
    ['▲資料圖', 'caption'],
    ['226人看过', 'counter'],
    // Black-hat SEO injected into a hacked page (made-up keyword lists of the kind).
    ['久久精品视频,国产精品一区二区,在线观看免费', 'spam'],
    ['某某主站蜘蛛池模板', 'spam'],
    // Shapes of real pages (stop 22's sample), in our own words.
    ['2025-09-19网贷问答网贷黑名单', 'byline'],
    ['2024-08-28 18:28:26 瀏覽 作者:某某某', 'byline'],
    ['admin 110 0', 'counter'],
    ['某某神记 卡片比较 31 0', 'counter'],
    ['(資料圖片)', 'caption'],
    ['• 回列表', 'navigation'],
    ['Select Page', 'navigation'],
    ['top of page', 'navigation'],
    ['100次浏览', 'counter'],
    ['- 讀畢需時 3 分鐘', 'counter'],
    ['文 / 某某某', 'byline'],
    ['瀏覽量12', 'counter'],
    ['瀏覽提示:您當前使用的瀏覽器版本過低,部分功能可能無法使用,建議改用新版瀏覽器。', 'disclaimer'],
    ['精品一区二区三区,某某毛片,一级特黄', 'spam'],
  ])('%s is %s', (line, shape) => {
    expect(lineShape(line)).toBe(shape);
  });

  it.each([
    '以上测算仅供参考，实际额度和利率以银行审批结果为准。',
    '查询个人信用报告，可以登录征信中心官网https://www.example-credit.cn办理，全程免费。',
    '来源：借款合同约定的还款日，逾期从还款日次日开始计算。',
    '很多平台在页面底部写着“如有侵权请联系删除”，但这并不能免除它们催收违规的责任。',
    '还款日期：2024年3月12日前还清即可。',
    '第一章  总则',
    '《',
    '本站将对此进行深入探讨。',
    '（图片来源于网上，资料不一定准确，办理前请向银行核实各项费用和利率。）',
    '已有226人看过这份资料，但很少有人注意到其中的利率条款。',
    '国产数据库和欧美厂商的产品都可以在线申请试用。',
    '2026年1月1日起施行',
    '2025-09-19起，新规定正式施行。',
    'Select a page to begin',
  ])('%s is text', (line) => {
    expect(lineShape(line)).toBeUndefined();
  });

  it('reads the time and category of a byline row', () => {
    expect(readMetaLine('2022年03月16日 10:49:56  来源: 某报  所属分类:快讯  编辑:某某')).toMatchObject({
      time: '2022年03月16日 10:49:56',
      category: '快讯',
    });
    expect(readMetaLine('逾期法務 2024-10-02 23:26:37')).toMatchObject({ category: '逾期法務' });
    expect(readMetaLine('某某 发布于 2024-03-12 10:20')).toMatchObject({ category: null });
    expect(readMetaLine('时间:01-17人气:21作者:某某')).toMatchObject({ time: null, dated: true });
    expect(readMetaLine('小米金融成立于2015年，是小米科技有限公司旗下')).toBeUndefined();
    // A date with the section's names glued to it, and a counter label printed without its count.
    expect(readMetaLine('2025-09-19网贷问答网贷黑名单')).toMatchObject({
      time: '2025-09-19',
      category: null,
    });
    // A user's name in Latin letters before the fields is no section.
    expect(readMetaLine('SomeUser 发布时间:2025-02-04 01:01:02 热度:784')).toMatchObject({ category: null });
    expect(readMetaLine('2024-08-28 18:28:26 瀏覽 作者:某某某')).toMatchObject({
      time: '2024-08-28 18:28:26',
      category: null,
    });
  });
});

describe("titles and bylines of real pages' shapes (stop 22's samples, in our own words)", () => {
  /** The record of a text dump of these lines. */
  const textPage = (url: string, lines: string[]) => normalizeDocument({ url, text: lines.join('\n') });

  it.each([
    [
      'a byline that glues its sections to the date',
      'https://example.com/post/1.html',
      [
        '车贷逾期了，车会被拖走吗？',
        '2025-09-19车贷问答逾期处理',
        '今天和大家聊聊车贷逾期的事，逾期次数越多，被拖车的风险就越大。',
        '每家贷款机构的规定都不一样，有的逾期一次就会催收。',
      ],
      '车贷逾期了，车会被拖走吗？',
      '2025-09-19',
    ],
    [
      "an author's badge over the byline (the question above it is the title)",
      'https://example.com/details/1.html',
      [
        '网商银行逾期会起诉吗?逾期以后有哪些后果?',
        '法务小编认证达人',
        '逾期资讯 2024-10-31',
        '随着互联网金融的发展，越来越多的人在网商银行借款，逾期以后是否会被起诉是大家关心的问题。',
        '银行一般会先通过短信等方式提醒借款人尽快还款。',
      ],
      '网商银行逾期会起诉吗？逾期以后有哪些后果？',
      '2024-10-31',
    ],
  ])('finds the title and time of a page with %s', (_shape, url, lines, title, date) => {
    const record = textPage(url, lines);
    expect(record.title).toBe(title);
    expect(record.published_at?.slice(0, 10)).toBe(date);
    expect(record.paragraphs).toHaveLength(2);
  });

  /** A Hong Kong page whose byline is a list: the author, the date, the reading time. */
  const LIST_FORM_BYLINE = [
    '私人貸款指南:銀行審批的五大準則,教你借得平、批得快',
    '- 某某某',
    '- 2025年11月25日',
    '- 讀畢需時 3 分鐘',
    '很多人申請私人貸款時，往往只看月平息，卻忽略了銀行背後的審批邏輯。',
    '只要掌握以下五大關鍵因素，你就能輕鬆獲得最低息的貸款方案。',
  ];

  it.each([
    [
      'a long headline with commas that the breadcrumb ends with',
      'https://example.com.tw/blog/1',
      [
        '首頁 > 部落格 > 【2026信用卡年費】一篇看懂各家銀行的減免規則,刷幾次、如何永久免年費?',
        '【2026信用卡年費】一篇看懂各家銀行的減免規則,刷幾次、如何永久免年費?',
        '瀏覽量12',
        '收到信用卡帳單，突然多出一筆年費，總讓人感到困惑。究竟這筆費用是什麼？',
        '年費是銀行為了提供持卡人服務所收取的費用，但多數銀行都有減免的條件。',
      ],
      '【2026信用卡年費】一篇看懂各家銀行的減免規則，刷幾次、如何永久免年費？',
    ],
    [
      'the headline, not the view counter over the byline',
      'https://example.com/changshi/1.html',
      [
        '欠款被起诉多久会收到传票',
        '100次浏览',
        '发布时间:2025-01-17 19:46:57',
        '欠钱被起诉后，被告通常会在十五天内收到法院的传票。',
        '法院在立案后，会在五日内将起诉状副本送达被告。',
      ],
      '欠款被起诉多久会收到传票',
    ],
    [
      "the headline over a writer's line",
      'https://example.com/jiaocheng/1.html',
      [
        '某某小程序',
        '申请贷款被拒是什么原因?可能是这几点导致的吗?',
        '文 / 某某某',
        '2017-12-12 13:00',
        '借款人在申请贷款的时候，难免会有人被拒，却不知道为什么。',
        '资产负债比是审贷的重要要素之一，超过七成将被认定为过度负债。',
      ],
      '申请贷款被拒是什么原因？可能是这几点导致的吗？',
    ],
    [
      'the headline over a list-form byline',
      'https://example.com.hk/post/1',
      LIST_FORM_BYLINE,
      '私人貸款指南：銀行審批的五大準則，教你借得平、批得快',
    ],
  ])('takes %s for the title', (_shape, url, lines, title) => {
    expect(textPage(url, lines).title).toBe(title);
  });

  it('takes a list-form byline for no category and drops its lines', () => {
    const listed = textPage('https://example.com.hk/post/1', LIST_FORM_BYLINE);
    expect(listed.category).toBeNull();
    expect(listed.paragraphs).toHaveLength(2);
  });

  it('takes no generic label for the title', () => {
    const record = textPage('https://example.com/a/2.html', [
      '文章正文',
      '1. 信用卡逾期本身属于民事纠纷，一般不会直接坐牢。',
      '2. 只有恶意透支并经银行两次催收后仍不归还，才可能构成犯罪。',
    ]);
    expect(record.title).toBeNull();
    expect(record.paragraphs[0]).toMatch(/^1\. /);
  });
});

describe('the page model', () => {
  it('places the title above a byline and drops the header above it', () => {
    const page = layout([
      '专业的法务平台',
      '全国咨询热线:17300000000',
      '新闻资讯',
      '当前位置: 首页 > 新闻资讯 > 行业资讯',
      '网贷逾期后，多久催收会联系家人？',
      '时间:2025-07-09 14:54:16 作者:某某 点击:',
      '在网贷逾期后的初期，大多数借款平台会采取电话催收的方式，提醒借款人按时还款。',
    ]);
    expect(page.title).toBe(4);
    expect(page.time).toBe('2025-07-09 14:54:16');
    expect(page.category).toBe('行业资讯');
    expect(page.drops.slice(0, 4).every((d) => d !== undefined)).toBe(true);
    expect(page.drops[6]).toBeUndefined();
  });

  it('takes a headline standing first, but never an opening sentence', () => {
    expect(
      layout(['怎样提高信用卡的额度', '信用卡的额度是发卡银行根据申请人的资信状况，综合审核后给出的。'])
        .title,
    ).toBe(0);
    const opening = ['近年来，随着互联网金融的快速发展，网贷成为许多人的工具。', '一、网贷的概念'];
    expect(layout(opening).title).toBeNull();
    expect(layout(['小编导语', '随着网络贷款的普及，越来越多的人选择网贷。']).title).toBeNull();
    expect(
      layout(['1. 什么是信用卡冻结？', '在某些情况下，银行可能会冻结您的信用卡，这意味着您不能再用它。'])
        .title,
    ).toBeNull();
  });

  it('takes the question under a Q&A label, and the title the body repeats', () => {
    expect(
      layout(['问题', '刷单被骗，逾期一期。征信如何保护？', '回答', '首先要明白，征信保护是亡羊补牢。'])
        .title,
    ).toBe(1);
    const repeated = layout([
      '某某资料汇编',
      '消费信贷的特点',
      '消费信贷的特点',
      '消费信贷的特点消费信贷是指金融机构提供的信贷业务。',
    ]);
    expect(repeated.title).toBe(1);
    expect(repeated.drops).toEqual(['header', undefined, 'title-repeat', undefined]);
  });

  it('drops a related-links list below the article, not a list inside it', () => {
    const page = layout([
      '信用卡逾期怎么办',
      '2024-03-12 10:00',
      '逾期以后，银行会按照合同约定每天收取一定比例的罚息。',
      '办理分期',
      '协商还款',
      '协商成功以后，要按新的约定按时还款，避免再次逾期。',
      '相关阅读',
      '借呗逾期会怎么样',
      '花呗可以分期吗',
    ]);
    expect(page.drops.slice(3, 5)).toEqual([undefined, undefined]);
    expect(page.drops.slice(6)).toEqual(['navigation', 'related', 'related']);
  });

  it('reads a debug line or a query below the article as chrome, not as prose', () => {
    const page = layout([
      '征信记录多久清空一次',
      '更新时间: 2020-11-01 00:00:00',
      '征信查询记录会保留2年，2年以后会自动清除，正常借贷记录保留5年。',
      '征信记录多久清空一次相关经验',
      'select * from tbl_Articles WHERE ArticleID=1 LIMIT 0,1',
    ]);
    expect(page.drops).toEqual([undefined, 'byline', undefined, 'navigation', 'related']);
  });
});

describe.each(LAYOUT_FAMILIES)('the %s layout', (family) => {
  const pages = layoutPages(1, 3).filter((p) => p.family === family);

  it.each(['html', 'text dump'])(
    'as %s: chrome gone, body whole, title, time and category right',
    (format) => {
      const score = emptyScore();
      for (const page of pages) {
        const record =
          format === 'html'
            ? normalizeDocument({ url: page.url, html: page.html })
            : normalizeDocument({ url: page.url.replace('.html', '.txt'), text: page.dump });
        scorePage(score, page, record);
        // Every dropped line is recorded.
        if (format === 'text dump')
          for (const line of page.truth.boilerplate)
            expect(record.repairs.some((r) => r.kind === 'boilerplate' && r.before === line.trim())).toBe(
              true,
            );
      }
      expect(score.misses).toEqual([]);
      expect(score.bodyLost).toBe(0);
      expect(score.chromeLeft).toBe(0);
    },
  );
});

describe('a source template', () => {
  it('drops a line the source repeats on most of its pages, and nothing else', () => {
    const pages = [0, 1, 2, 3, 4, 5].map((i) => layoutPage('news-portal', 0, i, true));
    const drafts = pages.map((p) => draftDocument({ url: p.url.replace('.html', '.txt'), text: p.dump }));
    const templates = new SourceTemplates();
    for (const draft of drafts) templates.observe(draft);
    const score = emptyScore();
    drafts.forEach((draft, i) => {
      const page = pages[i] as LayoutPage;
      const record = finalizeRecord(templates.strip(draft));
      scorePage(score, page, record);
      expect(record.repairs.filter((r) => r.kind === 'boilerplate').map((r) => r.before)).toContain(
        page.truth.boilerplate.find((l) => l.includes('陪你读懂')),
      );
    });
    expect(score.misses).toEqual([]);
    // Alone, a page keeps the slogan: one page is no evidence of a template.
    const alone = normalizeDocument({ url: 'https://one.example/a.txt', text: pages[0]?.dump ?? '' });
    expect(alone.paragraphs.some((p) => p.includes('陪你读懂'))).toBe(true);
  });

  it('is learned with the deleted words, kept in the stored profile and dropped on restore (CLI and queue)', async () => {
    const pages = [0, 1, 2, 3, 4, 5].map((i) => layoutPage('news-portal', 0, i, true));
    const drafts = pages.map((p) => draftDocument({ url: p.url.replace('.html', '.txt'), text: p.dump }));
    const source = (drafts[0] as DraftDocument).source;
    const cycle = DeletionCycle.inMemory();
    // Before anything is learned, nothing is dropped.
    expect(await cycle.restore(drafts[0] as DraftDocument)).toBe(drafts[0]);
    for (const draft of drafts) await cycle.observe(draft);
    const { saved } = await cycle.learn(source);
    const slogan = pages[0]?.truth.boilerplate.find((l) => l.includes('陪你读懂')) as string;
    expect(saved.template?.length).toBeGreaterThan(0);
    const score = emptyScore();
    for (const [i, draft] of drafts.entries()) {
      const record = finalizeRecord(await cycle.restore(draft));
      scorePage(score, pages[i] as LayoutPage, record);
      expect(record.repairs.filter((r) => r.kind === 'boilerplate').map((r) => r.before)).toContain(slogan);
      // The same as the batch's own template.
      const templates = new SourceTemplates();
      for (const d of drafts) templates.observe(d);
      expect(record).toEqual(finalizeRecord(templates.strip(draft)));
    }
    expect(score.misses).toEqual([]);
  });

  it('never takes headings or copies of one article for a template', () => {
    const page = layoutPage('news-portal', 0, 0);
    const copies = [0, 1, 2, 3, 4].map((i) =>
      draftDocument({ url: `https://copies.example/${i}.txt`, text: page.dump }),
    );
    const templates = new SourceTemplates();
    for (const draft of copies) templates.observe(draft);
    expect(templates.templateOf('copies.example').size).toBe(0);
    // Every page of this source opens its body with the same two headings.
    const withHeadings = [0, 1, 2, 3, 4].map((i) => {
      const lines = layoutPage('news-portal', 1, i).dump.split('\n');
      lines.splice(5, 0, '小编导语', '一、什么是网贷');
      return draftDocument({ url: `https://heads.example/${i}.txt`, text: lines.join('\n') });
    });
    const headed = new SourceTemplates();
    for (const draft of withHeadings) headed.observe(draft);
    for (const draft of withHeadings) {
      expect(draft.paragraphs.slice(0, 2)).toEqual(['小编导语', '一、什么是网贷']);
      expect(headed.strip(draft).paragraphs.slice(0, 2)).toEqual(['小编导语', '一、什么是网贷']);
    }
  });
});

describe('fault-injected dumps with a site chrome around them', () => {
  it.each([
    ['hans', ['boilerplate']],
    ['tw', ['boilerplate', 'pinyin', 'ascii-punctuation', 'half-converted']],
    ['hans', ['boilerplate', 'pinyin', 'ascii-punctuation', 'gbk-tail', 'deleted-words']],
  ] as const)('%s %j: chrome dropped, every body line kept, metadata right', (script, faults) => {
    for (let seed = 1; seed <= 12; seed++) {
      const page = injectFaults(generateArticle(seed), { seed, faults, script, layoutChrome: true });
      const record = normalizeDocument(page.raw);
      expect(record.paragraphs).toHaveLength(page.truth.paragraphs.length);
      expect(foldText(record.title ?? '')).toBe(foldText(page.truth.titleWithoutDeleted ?? ''));
      expect(record.category).toBe(page.truth.category);
      expect(record.published_at).toBe(page.truth.published_at);
      const chrome = new Set(
        page.injected
          .filter((f) => f.kind === 'boilerplate' && f.paragraph === -1)
          .map((f) => foldText(f.after)),
      );
      for (const p of record.paragraphs) expect(chrome.has(foldText(p))).toBe(false);
    }
  });
});
