import { describe, expect, it } from 'vitest';
import { closesFrame, unclosedFrames } from '../../src/normalize/deleted-words/frames.js';
import { restoreDeletedWords } from '../../src/normalize/deleted-words/restore.js';
import { languageModel } from '../../src/normalize/language-model.js';
import { draftDocument, finalizeRecord } from '../../src/normalize/pipeline.js';
import { learnBatch } from '../support/learn-batch.js';
import { profileWord } from '../support/profile-word.js';

const lm = languageModel();
const gapAt = (text: string, after: string) => text.indexOf(after) + after.length;

describe('在 frames nothing closes (gaps that only grammar shows)', () => {
  it('finds the place after 的 where a closer is missing before a verb and its object', () => {
    const text = '如何在提供便捷服务的保护用户的隐私，是行业的重要课题。';
    expect(unclosedFrames(text, lm)).toEqual([gapAt(text, '服务的')]);
    const second = '用户可以在享受平台带来的便利的降低潜在风险。';
    expect(unclosedFrames(second, lm)).toEqual([gapAt(second, '便利的')]);
  });

  it('reads no frame in a run too long to be a clause (garbled text)', () => {
    const garbled = `${'锟斤拷烫烫烫'.repeat(6)}在提供便捷服务的保护用户的隐私`;
    expect(unclosedFrames(`${garbled}。`, lm)).toEqual([]);
  });

  it('finds a frame cut at a comma', () => {
    const text = '在追求收益的，投资者也要考虑风险。';
    expect(unclosedFrames(text, lm)).toEqual([gapAt(text, '收益的')]);
  });

  it('leaves closed frames, nominal verbs and the emphatic 是…的 alone', () => {
    for (const text of [
      '如何在提供便捷服务的同时保护用户的隐私，是行业的重要课题。',
      '借款人在办理分期的过程中，要留意手续费。',
      '在政府的支持下，行业得到了发展。',
      '在选择产品的时候，要看清楚合同。',
      '在经济的发展中，金融起着重要作用。',
      '这笔钱是在银行借的，利息很高。',
      '用户在平台上申请的贷款已经到账。',
      '我们的保护措施很完善。',
    ])
      expect(unclosedFrames(text, lm), text).toEqual([]);
  });

  it('knows the words that close a frame, in either script', () => {
    for (const word of ['同时', '時候', '过程中', '情况下', '中', '之后'])
      expect(closesFrame(word, lm), word).toBe(true);
    for (const word of ['电话', '保护', '用户', '问题']) expect(closesFrame(word, lm), word).toBe(false);
  });

  it('flags the record possible-gap without changing its text', () => {
    const text = '用户可以在享受平台带来的便利的降低潜在风险。';
    const draft = draftDocument({ url: 'https://farm.example/1', text });
    expect(draft.gaps).toEqual([{ paragraph: 0, offset: gapAt(text, '便利的'), evidence: 'frame' }]);
    expect(draft.flags).toContain('possible-gap');
    expect(finalizeRecord(draft, 'hans').paragraphs).toEqual([text]);
  });
});

/** Intact prose of other sites: they write 在…的同时 in their own sentences. */
const INTACT = [
  '在享受分期便利的同时，用户也要按时还款，避免产生逾期记录。',
  '借款人在申请贷款的同时，应当了解利率和手续费的计算方式。',
  '平台在提高审批效率的同时，也加强了对用户信息的保护。',
  '在追求收益的同时，投资者需要充分考虑自己的风险承受能力。',
  '银行在推出新产品的同时，会通过短信通知老客户。',
  '办理信用卡的同时，用户可以开通自动还款功能。',
  '在使用网贷产品的过程中，用户要保管好自己的账户密码。',
  '遇到催收时，用户可以保留通话记录，必要时向监管部门投诉。',
];
/** The filtering site: every 同时 deleted; its frames are left open. */
const FILTERED = [
  '平台在降低借款门槛的扩大了用户群体，也带来了新的风险。',
  '用户在享受便捷服务的注意保护个人信息，不要随意透露验证码。',
  '在使用网贷产品的过程中，用户要按时还款，避免影响个人征信。',
  '如果遇到问题，可以联系平台客服，说明情况并保留相关记录。',
];

/** A sentence the sites share (copied from one to another): what makes them related. */
const SHARED = '如果遇到问题，可以联系平台客服，说明情况并保留相关记录。';

async function batch(withOthers: boolean) {
  const drafts = [];
  for (let page = 0; page < 6; page++)
    drafts.push(draftDocument({ url: `https://filtered.example/${page}`, text: FILTERED.join('\n') }));
  const others = [];
  if (withOthers)
    for (const site of ['a', 'b', 'c'])
      for (let page = 0; page < 6; page++)
        others.push(
          draftDocument({ url: `https://${site}.example/${page}`, text: [...INTACT, SHARED].join('\n') }),
        );
  return { learned: await learnBatch([...drafts, ...others]), drafts };
}

describe('filling open frames from a learned profile', () => {
  it('learns 同时 for the site whose frames stay open while other sites close theirs with it', async () => {
    const { learned } = await batch(true);
    const word = learned.profiles.get('filtered.example')?.words.find((w) => w.word === '同时');
    expect(word?.frameGaps).toBeGreaterThanOrEqual(2);
    for (const site of ['a.example', 'b.example', 'c.example'])
      expect(learned.profiles.get(site)?.words).toEqual([]);
  });

  it('puts 同时 back in each open frame, with its confidence, and nowhere else', async () => {
    const { learned, drafts } = await batch(true);
    const restored = await learned.restore(drafts[0] as (typeof drafts)[number]);
    expect(restored.paragraphs[0]).toBe('平台在降低借款门槛的同时扩大了用户群体，也带来了新的风险。');
    expect(restored.paragraphs[1]).toBe('用户在享受便捷服务的同时注意保护个人信息，不要随意透露验证码。');
    expect(restored.paragraphs.slice(2)).toEqual(FILTERED.slice(2));
    const repairs = restored.repairs.filter((r) => r.kind === 'missing-word');
    expect(repairs).toHaveLength(2);
    for (const repair of repairs) {
      expect(repair.after).toContain('同时');
      expect(repair.confidence).toBeGreaterThan(0.5);
      expect(repair.confidence).toBeLessThan(1);
    }
    expect(restored.flags).not.toContain('possible-gap');
  });

  it('without other sites to learn from, leaves the frames open and flagged', async () => {
    const { learned, drafts } = await batch(false);
    expect(learned.profiles.get('filtered.example')?.words.map((w) => w.word)).not.toContain('同时');
    const restored = await learned.restore(drafts[0] as (typeof drafts)[number]);
    expect(restored.paragraphs).toEqual(FILTERED);
    expect(restored.flags).toContain('possible-gap');
  });

  it('nor with sites that share no text with it: they are not evidence about it', async () => {
    const drafts = [];
    for (let page = 0; page < 6; page++)
      drafts.push(draftDocument({ url: `https://filtered.example/${page}`, text: FILTERED.join('\n') }));
    for (const site of ['a', 'b', 'c'])
      for (let page = 0; page < 6; page++)
        drafts.push(draftDocument({ url: `https://${site}.example/${page}`, text: INTACT.join('\n') }));
    const learned = await learnBatch(drafts);
    expect(learned.profiles.get('filtered.example')?.words).toEqual([]);
    expect((await learned.restore(drafts[0] as (typeof drafts)[number])).paragraphs).toEqual(FILTERED);
  });
});

describe('a marked gap that leaves a frame open', () => {
  const text = '如何在提供便捷服务的 保护用户的隐私，是行业的课题。';
  /** The page restored with a profile of these words and shares of marked gaps. */
  const restoreWith = (...words: [string, number][]) =>
    restoreDeletedWords(draftDocument({ url: 'https://x.example/1', text }), {
      source: 'x.example',
      documents: 3,
      words: words.map(([word, share]) => profileWord(word, share)),
    });

  it('is marked in the draft as a frame left open', () => {
    const gaps = draftDocument({ url: 'https://x.example/1', text }).gaps;
    expect(gaps).toEqual([{ paragraph: 0, offset: text.indexOf(' '), evidence: 'marked', inFrame: true }]);
  });

  it('takes only a closer: a source that deletes 电话 and 题 leaves it flagged', () => {
    const restored = restoreWith(['电话', 0.9], ['题', 0.1]);
    expect(restored.paragraphs).toEqual(['如何在提供便捷服务的保护用户的隐私，是行业的课题。']);
    expect(restored.flags).toContain('possible-gap');
  });

  it('gets the closer when the profile has one, whatever the shares of the other words', () => {
    const restored = restoreWith(['电话', 0.9], ['同时', 0.1]);
    expect(restored.paragraphs).toEqual(['如何在提供便捷服务的同时保护用户的隐私，是行业的课题。']);
  });
});
