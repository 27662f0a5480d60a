import { describe, expect, it } from 'vitest';
import {
  classifyLine,
  isGenericHeading,
  parseByline,
  sameLine,
  siteContact,
} from '../../src/normalize/boilerplate.js';
import { removeControlResidue } from '../../src/normalize/control-chars.js';
import { closeMarkedGaps } from '../../src/normalize/gaps.js';
import { readMetaLine } from '../../src/normalize/layout/fields.js';
import { normalizeDocument } from '../../src/normalize/pipeline.js';
import { datedByFetch, parsePublishedAt } from '../../src/normalize/time.js';

describe('a time printed relative to the fetch', () => {
  it('is dated by the fetch: the latest such day on or before it, China time', () => {
    expect(datedByFetch('01-17', '2026-03-02T10:00:00Z')).toBe('2026-01-17T00:00:00+08:00');
    expect(datedByFetch('12-30 21:05', '2026-01-05T10:00:00Z')).toBe('2025-12-30T21:05:00+08:00');
    // 02-29 only in a leap year; the fetch a minute into 1 January China time is still that year.
    expect(datedByFetch('02-29', '2026-03-01T00:00:00Z')).toBe('2024-02-29T00:00:00+08:00');
    expect(datedByFetch('01-01', '2025-12-31T16:01:00Z')).toBe('2026-01-01T00:00:00+08:00');
    for (const [monthDay, fetchedAt] of [
      ['13-40', '2026-03-01T00:00:00Z'],
      ['01-17', 'not a time'],
      ['01-17', undefined],
      [null, '2026-03-01T00:00:00Z'],
    ] as const)
      expect(datedByFetch(monthDay, fetchedAt)).toBeNull();
  });

  it('counts a relative time back from the fetch, China time', () => {
    const fetchedAt = '2026-03-02T10:00:00Z'; // 18:00 in China
    expect(datedByFetch('3天前', fetchedAt)).toBe('2026-02-27T18:00:00+08:00');
    expect(datedByFetch('2小时前', fetchedAt)).toBe('2026-03-02T16:00:00+08:00');
    expect(datedByFetch('15 分钟前', fetchedAt)).toBe('2026-03-02T17:45:00+08:00');
    expect(datedByFetch('1周前', fetchedAt)).toBe('2026-02-23T18:00:00+08:00');
    expect(datedByFetch('刚刚', fetchedAt)).toBe('2026-03-02T18:00:00+08:00');
    expect(datedByFetch('昨天 09:30', fetchedAt)).toBe('2026-03-01T09:30:00+08:00');
    expect(datedByFetch('前天', fetchedAt)).toBe('2026-02-28T00:00:00+08:00');
    // 23:30 UTC is the next day in China: "today" is China's.
    expect(datedByFetch('今天 08:00', '2026-03-01T23:30:00Z')).toBe('2026-03-02T08:00:00+08:00');
    // Too coarse to give a day, or not a time at all.
    for (const printed of ['3个月前', '2年前', '昨天 25:10', '三天前'])
      expect(datedByFetch(printed, fetchedAt)).toBeNull();
  });

  it('reads a byline with a relative time as a byline, dated by the fetch', () => {
    const text = [
      '网贷逾期会不会上征信',
      '发布时间：3天前 阅读：128',
      '正规持牌机构的网贷逾期后会上报征信，逾期记录保留五年。',
      '部分小额平台没有接入征信，但会委托第三方催收。',
    ].join('\n');
    const url = 'https://m.relative.example/a/1.html';
    const record = normalizeDocument({ url, text, fetchedAt: '2026-03-02T10:00:00Z' });
    expect(record.published_at).toBe('2026-02-27T18:00:00+08:00');
    expect(record.paragraphs.join('\n')).not.toContain('阅读');
    expect(record.paragraphs).toHaveLength(2);
    expect(normalizeDocument({ url, text }).published_at).toBeNull();
  });

  it("gives a mobile page's byline date a year from its raw record's fetch time, and none without", () => {
    const text = [
      '信用卡逾期怎么办',
      '时间:01-17人气:21作者:某某',
      '信用卡逾期时间从还款日次日开始计算，逾期一天就会产生罚息和违约金。',
      '不同银行对逾期的认定有差异，部分银行提供三天宽限期。',
    ].join('\n');
    const url = 'https://m.farm.example/1/2.html';
    expect(normalizeDocument({ url, text, fetchedAt: '2026-03-02T10:00:00Z' }).published_at).toBe(
      '2026-01-17T00:00:00+08:00',
    );
    expect(normalizeDocument({ url, text }).published_at).toBeNull();
    // A full date on the page wins over the fetch.
    const dated = text.replace('时间:01-17', '时间:2024-05-06');
    expect(normalizeDocument({ url, text: dated, fetchedAt: '2026-03-02T10:00:00Z' }).published_at).toBe(
      '2024-05-06T00:00:00+08:00',
    );
  });
});

describe('parsePublishedAt', () => {
  it.each([
    ['2024-10-02 23:26:37', '2024-10-02T23:26:37+08:00'],
    ['2024/10/2 9:05', '2024-10-02T09:05:00+08:00'],
    ['2024年10月2日 23:26', '2024-10-02T23:26:00+08:00'],
    ['2026 年 1 月 19 日', '2026-01-19T00:00:00+08:00'],
    ['2026 年 1 月 19 日 08:30', '2026-01-19T08:30:00+08:00'],
    ['发布时间：2024-10-02', '2024-10-02T00:00:00+08:00'],
    ['2024-10-02T15:26:37Z', '2024-10-02T15:26:37+00:00'],
    ['2024-10-02T23:26:37+0900', '2024-10-02T23:26:37+09:00'],
  ])('%s → %s', (raw, iso) => {
    expect(parsePublishedAt(raw)).toBe(iso);
  });

  it.each([null, '', '昨天', '2024-02-31 10:00', '2024-13-01'])('%s → null', (raw) => {
    expect(parsePublishedAt(raw)).toBeNull();
  });
});

describe('boilerplate lines', () => {
  it.each([
    ['投訴', 'navigation'],
    ['相關推薦', 'navigation'],
    ['最新文章', 'navigation'],
    ['隨機看看', 'navigation'],
    ['上一篇：信用卡逾期怎么办', 'navigation'],
    ['相關新聞', 'navigation'],
    ['在線咨詢', 'navigation'],
    ['熱搜：信用卡額度調整社保卡補辦網貸利率', 'navigation'],
    ['聲明:資訊來源於網絡,屬作者個人觀點,僅供參考。', 'disclaimer'],
    ['內容侵權、刪帖舉報聯系方式:13800000000 12345678@qq.com', 'takedown'],
    ['加微信 abc123 包下款', 'spam'],
    ['4.3 投訴舉報', 'content'],
    ['用戶可以通過相關部門進行投訴，維護自己的合法權益。', 'content'],
    ['支付寶也設有專門的客服熱線95188。', 'content'],
  ])('%s is %s', (line, role) => {
    expect(classifyLine(line)).toBe(role);
  });

  it('reads a byline: category and time', () => {
    expect(parseByline('逾期法務 2024-10-02 23:26:37')).toEqual({
      category: '逾期法務',
      time: '2024-10-02 23:26:37',
    });
    expect(parseByline('2024-10-02 23:26')).toEqual({ category: null, time: '2024-10-02 23:26' });
    // Read as the line will read once its spaces inside Chinese are closed (idempotence).
    expect(parseByline('的\t）逾期法務 2024-10-02 23:26:37')).toEqual(
      parseByline('的）逾期法務 2024-10-02 23:26:37'),
    );
    // A category never starts with punctuation (`! 逾期法務` reads `！逾期法務` once repaired).
    expect(parseByline('！逾期法務 2024-10-02 23:26:37')).toBeUndefined();
    expect(parseByline('小米金融成立于2015年，是小米科技有限公司旗下')).toBeUndefined();
  });

  it("takes no section heading for the title where a filter deleted the numerals' 、", () => {
    const record = normalizeDocument({
      url: 'https://example.com/a/1.html',
      text: '一保留关键证据\n保存骚扰电话的号码、时间和内容，以及短信、邮件等记录。\n二向监管部门投诉\n可以向银行业监管部门投诉违规催收行为。',
    });
    expect(record.title).toBeNull();
    expect(record.paragraphs[0]).toBe('一保留关键证据');
  });

  it('reads a time with a view counter or a script switch beside it as a byline', () => {
    // Shapes of real mobile pages: the counter is a field of its own, the switch a widget.
    expect(readMetaLine('2022-08-20 11:36:56  浏览:33')).toMatchObject({ time: '2022-08-20 11:36:56' });
    expect(readMetaLine('  2025-06-21 18:03:04     简体|繁體')).toMatchObject({
      time: '2025-06-21 18:03:04',
    });
    // A counter alone, without a time, is still no byline.
    expect(readMetaLine('浏览:33')).toBeUndefined();
  });

  it("reads a byline whose separators' icons the page's charset lost", () => {
    // A real page: `作者:静妹 ? 更新时间:2023-01-11 ?阅读` (a user icon and an eye icon lost to `?`).
    expect(readMetaLine('作者:静妹 ? 更新时间:2023-01-11 ?阅读')).toMatchObject({ time: '2023-01-11' });
    expect(readMetaLine('作者：某某 \uFFFD 发布时间：2023-01-11')).toMatchObject({ time: '2023-01-11' });
    // A question mark after a word is a sentence's: no field's value.
    expect(readMetaLine('作者:什么时候能提额? 更新时间:2023-01-11')).toBeUndefined();
    const record = normalizeDocument({
      url: 'https://example.com/wd/1.html',
      text: '花呗还款逾期了一天有什么影响么?\n作者:静妹 ? 更新时间:2023-01-11 ?阅读\n花呗还款逾期了一天的话,将会产生逾期费用,用户需要多还钱。\n逾期情况会被系统报送芝麻信用,芝麻分有可能会因此下降。',
    });
    expect(record.published_at?.slice(0, 10)).toBe('2023-01-11');
    expect(record.paragraphs.join('\n')).not.toContain('作者');
  });

  it('knows generic opening headings and compares lines across scripts', () => {
    expect(isGenericHeading('小編導語')).toBe(true);
    expect(isGenericHeading('為啥小米金融給我發信息')).toBe(false);
    expect(sameLine('為啥小米金融給我發信息', '为啥小米金融给我发信息')).toBe(true);
    expect(siteContact('聯系方式:15070879527 3590931873@qq.com')).toBe('15070879527');
  });
});

describe('closeMarkedGaps', () => {
  it('removes a space between Chinese characters and flags the gap', () => {
    const result = closeMarkedGaps('接到了“郵你貸”的 ，這背後');
    expect(result.text).toBe('接到了“郵你貸”的，這背後');
    expect(result.flags).toEqual(['possible-gap']);
    expect(result.gaps).toEqual([{ offset: 9, evidence: 'marked' }]);
  });

  it('keeps numbering and Latin spacing', () => {
    for (const text of ['1.1 產品概述', '2.2 內容', 'APP 申請', '下載 APP'])
      expect(closeMarkedGaps(text)).toEqual({ text, repairs: [], flags: [], gaps: [] });
  });

  it('closes spaces of layout without taking them for gaps', () => {
    const layout: [string, string][] = [
      ['特别提示： 逾期后要尽快还款', '特别提示：逾期后要尽快还款'],
      ['像热锅上的蚂蚁？ 工资还没发。', '像热锅上的蚂蚁？工资还没发。'],
      ['分期利率怎么计算 【第1页】', '分期利率怎么计算【第1页】'],
      ['第一条 为适应信用卡业务的发展', '第一条为适应信用卡业务的发展'],
      ['第十二章 附则', '第十二章附则'],
      ['第十二部分 基金的投资', '第十二部分基金的投资'],
      ['来源：南宁晚报 所属分类：快讯', '来源：南宁晚报所属分类：快讯'],
      // A table's rows flattened into lines: its cells.
      [
        '贷款机构 参考年利率 最高贷款额 最长还款期 审批特点',
        '贷款机构参考年利率最高贷款额最长还款期审批特点',
      ],
      ['甲财务 4.5% 五十万 84个月 网上申请，即日审批', '甲财务 4.5% 五十万 84个月网上申请，即日审批'],
      ['方法 优点 缺点', '方法优点缺点'],
      ['所谓 “以贷养贷” 就是借新还旧。', '所谓“以贷养贷”就是借新还旧。'],
      ['逾期的后果 —— 罚息和违约金。', '逾期的后果——罚息和违约金。'],
      ['1.1使用记录不佳 你的征信会受到影响。', '1.1使用记录不佳你的征信会受到影响。'],
      [
        '导读 在日常生活中，个人的信用状况越来越受到重视。',
        '导读在日常生活中，个人的信用状况越来越受到重视。',
      ],
      // A site that spaces every punctuation mark.
      [
        '银行根据资信状况 ，综合审核后给出额度 。除此之外 ，持卡人也可以申请 。',
        '银行根据资信状况，综合审核后给出额度。除此之外，持卡人也可以申请。',
      ],
    ];
    for (const [text, closed] of layout) {
      const result = closeMarkedGaps(text);
      expect(result.text, text).toBe(closed);
      expect(result.gaps, text).toEqual([]);
      expect(result.flags, text).toEqual([]);
      expect(result.repairs.length, text).toBeGreaterThan(0);
    }
    // The same spaces where a word is missing stay gaps: one spaced mark among unspaced ones, a
    // space after 、 or inside a sentence.
    for (const text of [
      '银行会先通过 、短信等方式提醒，请注意。',
      '借款人可以通过法律途径 。',
      '三、 背后的原因',
      '包括 催收、短信催收',
      '4.1 识别 来源',
    ])
      expect(closeMarkedGaps(text).gaps, text).toHaveLength(1);
    // Stars a filter put in a word's place are a gap, closed and listed; Markdown's are left.
    expect(closeMarkedGaps('购买风险**工具之前要看清条款。')).toMatchObject({
      text: '购买风险工具之前要看清条款。',
      gaps: [{ offset: 4, evidence: 'marked' }],
    });
    expect(closeMarkedGaps('可以拨打客服 *** 咨询。').gaps).toHaveLength(1);
    // One star for one character (an ad-wording filter: 最终 → `*终`, 不至于 → `不*于`).
    expect(closeMarkedGaps('拒赔并不代表*终结果，不*于慌张。')).toMatchObject({
      text: '拒赔并不代表终结果，不于慌张。',
      gaps: [
        { offset: 6, evidence: 'marked' },
        { offset: 11, evidence: 'marked' },
      ],
    });
    expect(closeMarkedGaps('*注：年化利率以合同为准').gaps).toEqual([]);
    expect(closeMarkedGaps('**重点**是按时还款')).toMatchObject({ text: '**重点**是按时还款', gaps: [] });
    // A sentence a filter cut in many places is no table: its pieces carry its punctuation.
    expect(closeMarkedGaps('客户会先接到 再收到 然后是 的上门 最后是起诉。').gaps).toHaveLength(4);
  });

  it('flags a heading that ends on 的 without changing it', () => {
    const result = closeMarkedGaps('二、莫名其妙的');
    expect(result.text).toBe('二、莫名其妙的');
    expect(result.gaps).toEqual([{ offset: 7, evidence: 'unmarked' }]);
  });

  it('reports offsets in the repaired text for several gaps', () => {
    const result = closeMarkedGaps('4.1 識別 來源，確認 為騷擾 。');
    expect(result.text).toBe('4.1 識別來源，確認為騷擾。');
    expect(result.gaps.map((g) => result.text.slice(0, g.offset))).toEqual([
      '4.1 識別',
      '4.1 識別來源，確認',
      '4.1 識別來源，確認為騷擾',
    ]);
  });
});

describe('removeControlResidue', () => {
  it('drops OOXML escapes and control characters', () => {
    const result = removeControlResidue('還款_x0008_日期\u0007');
    expect(result.text).toBe('還款日期');
    expect(result.repairs.map((r) => r.before)).toEqual(['_x0008_', '\u0007']);
  });
});

describe('HTML detection', () => {
  it('reads a page whose markup starts after a comment as HTML', async () => {
    const { normalizeDocument } = await import('../../src/normalize/pipeline.js');
    const record = normalizeDocument({
      url: 'https://farm.example/post/12/',
      body: Buffer.from(
        '<!-- cached -->\n<!DOCTYPE html><html><body><article><h1>借呗逾期会怎么样</h1><p>逾期以后，平台会按照合同约定每天收取一定比例的罚息。</p></article></body></html>',
      ),
    });
    expect(record.title).toBe('借呗逾期会怎么样');
    expect(record.paragraphs).toEqual(['逾期以后，平台会按照合同约定每天收取一定比例的罚息。']);
  });
});
