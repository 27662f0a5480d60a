import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  contextEvidence,
  copiedInsertions,
  suffixArray,
  TextCorpus,
  WordSpreads,
} from '../../src/normalize/deleted-words/corpus.js';
import { compoundCandidates } from '../../src/normalize/deleted-words/evidence.js';
import { learnProfile, SourceEvidence } from '../../src/normalize/deleted-words/profile.js';
import { restoreDeletedWords } from '../../src/normalize/deleted-words/restore.js';
import { draftDocument, finalizeRecord } from '../../src/normalize/pipeline.js';
import { evaluateEachSiteAlone, evaluateRestoration, formatEval } from '../support/deleted-words-eval.js';
import { makeSites } from '../support/filtered-sites.js';
import { learnBatch } from '../support/learn-batch.js';
import { profileWord } from '../support/profile-word.js';
import { expectedAfterRestoration, SEED_NAMES, seedBytes, seedPath } from '../support/seeds.js';

const draft = (url: string, text: string) => draftDocument({ url, text });

describe('gap evidence', () => {
  it('finds the compound a marked gap completes', () => {
    expect(compoundCandidates('导致接到骚扰', '')).toContain('电话');
  });

  it('ignores compounds with a one-character function word (的话, 小小的)', () => {
    const candidates = compoundCandidates('接到了的', '的语气');
    expect(candidates).not.toContain('话');
    expect(candidates).not.toContain('小小');
  });
});

describe('the batch text index', () => {
  it('sorts suffixes as a plain sort does', () => {
    for (const text of ['banana', 'abababab', '的同时的同时，的同时保护\n在服务的同时\n']) {
      const naive = Array.from({ length: text.length }, (_, i) => i).sort((a, b) =>
        text.slice(a) < text.slice(b) ? -1 : 1,
      );
      expect([...suffixArray(text)]).toEqual(naive);
    }
  });

  it('counts strings of any length, leaving out the sources asked', () => {
    const corpus = new TextCorpus();
    corpus.add('a.example', '在提供服务的同时保护用户');
    corpus.add('b.example', '在享受便利的同时，也需要');
    corpus.add('b.example', '服务的保护');
    const a = corpus.sourceId('a.example');
    const b = corpus.sourceId('b.example');
    expect(corpus.count('的同时')).toBe(2);
    expect(corpus.count('的同时', new Set([a]))).toBe(1);
    expect(corpus.count('\n服务的')).toBe(1); // a paragraph's start
    expect(corpus.countBySource('的')).toEqual(
      new Map([
        [a, 1],
        [b, 2],
      ]),
    );
  });

  it('finds a word missing where intact text has the longer phrase with it, and only there', () => {
    const corpus = new TextCorpus();
    for (let i = 0; i < 3; i++) corpus.add('intact.example', '应当第一时间主动联系平台的官方客服说明情况。');
    corpus.add('intact.example', '平台的官方网站上有说明。');
    corpus.add('farm.example', '应当第一时间主动联系平台的官方说明情况。');
    const intact = { corpus, excluded: new Set([corpus.sourceId('farm.example')]) };
    const text = '应当第一时间主动联系平台的官方说明情况。';
    expect(contextEvidence(intact, text, text.indexOf('说明'), '客服').missing).toBe(true);
    expect(contextEvidence(intact, text, text.indexOf('说明'), '电话').missing).toBe(false);
    expect(contextEvidence(intact, text, text.indexOf('官方'), '客服').missing).toBe(false);
  });

  it('finds the word a copy of the page on another site has in place', () => {
    const corpus = new TextCorpus();
    corpus.add('copy.example', '如何在提供便捷服务的同时保护用户的隐私，是整个行业需要面对的问题。');
    corpus.add('farm.example', '如何在提供便捷服务的保护用户的隐私，是整个行业需要面对的问题。');
    const own = new Set([corpus.sourceId('farm.example')]);
    const text = '如何在提供便捷服务的保护用户的隐私，是整个行业需要面对的问题。';
    expect(copiedInsertions({ corpus, excluded: own }, text)).toEqual([
      { offset: text.indexOf('保护'), word: '同时' },
    ]);
    // The copy itself lacks nothing.
    const copy = new Set([corpus.sourceId('copy.example')]);
    expect(copiedInsertions({ corpus, excluded: copy }, text.replace('的保护', '的同时保护'))).toEqual([]);
  });

  it('finds where a string occurs, and its window filter never misses one that does', () => {
    const corpus = new TextCorpus();
    const pages = {
      'a.example': '如何在提供便捷服务的同时保护用户的隐私，是整个行业需要面对的问题。',
      'b.example': '在享受便利的同时，也需要保护用户的隐私。问题是整个行业的。',
      'c.example': '如何在提供便捷服务的保护用户的隐私',
    };
    for (const [source, text] of Object.entries(pages)) corpus.add(source, text);
    const excluded = new Set([corpus.sourceId('c.example')]);
    // Naive: the text of each source but c, with the boundaries the corpus puts around paragraphs.
    const others = ['\n', `${pages['a.example']}\n`, `${pages['b.example']}\n`].join('');
    const filter = corpus.windowFilter(10, excluded);
    let present = 0;
    for (const probe of [pages['a.example'], pages['c.example'], `\n${pages['b.example']}\n`])
      for (let from = 0; from < probe.length; from++)
        for (const length of [1, 3, 10, 20]) {
          const pattern = probe.slice(from, from + length);
          if (pattern.length !== length) continue;
          const expected = others.includes(pattern);
          expect(corpus.has(pattern, excluded)).toBe(expected);
          const at = corpus.occurrence(pattern, excluded);
          expect(at >= 0).toBe(expected);
          if (expected) {
            present++;
            expect(corpus.occursAt(at, pattern, excluded)).toBe(true);
            if (length === 10) expect(filter.mayHold(pattern, 0)).toBe(true);
          }
        }
    expect(present).toBeGreaterThan(100);
    // c's own text is not looked at: 的保护 is only there.
    expect(corpus.has('的保护', excluded)).toBe(false);
    expect(corpus.occursAt(corpus.occurrence('的保护'), '的保护', excluded)).toBe(false);
  });

  it('tells the sources that lack a word the others use', () => {
    const corpus = new TextCorpus();
    for (let i = 0; i < 10; i++) {
      corpus.add('a.example', '请联系官方客服说明情况。');
      corpus.add('b.example', '请联系官方客服咨询。');
      corpus.add('farm.example', '请联系官方说明情况。');
    }
    const spread = new WordSpreads(corpus).of('客服');
    expect([...spread.lacking]).toEqual([corpus.sourceId('farm.example')]);
  });
});

describe('profile learner', () => {
  it('learns an empty profile for a source that deletes nothing', () => {
    const evidence = new SourceEvidence('clean.example');
    for (const text of [
      '用户可以拨打客服电话咨询还款问题，同时也可以在APP中查询账单。',
      '接到骚扰电话时，应保持警惕，不要透露个人信息。',
      '逾期以后，平台会通过短信和电话提醒用户尽快还款。',
    ])
      evidence.add(draft('https://clean.example/1', text));
    expect(learnProfile(evidence).words).toEqual([]);
  });

  it('learns 电话 from marked gaps that complete 骚扰电话, and 题 from orphaned 问', () => {
    const evidence = new SourceEvidence('farm.example');
    evidence.add(
      draft('https://farm.example/1', '很多人接到骚扰 。这些骚扰 的来源是什么？个人信息安全问日益严重。'),
    );
    evidence.add(draft('https://farm.example/2', '如何拒绝骚扰 ？骚扰问也引发了广泛关注。'));
    const profile = learnProfile(evidence);
    expect(profile.words.map((w) => w.word).sort()).toEqual(['电话', '题']);
    expect(profile.words.find((w) => w.word === '电话')?.markedGaps).toBeGreaterThanOrEqual(2);
  });

  it('does not take a verb for a character that lost its partner (网上问_白条 is asking, not 问题)', () => {
    const evidence = new SourceEvidence('asking.example');
    for (const text of ['最近在网上问白条额度的人不少。', '有人问金条怎么申请。', '遇到不懂的可以去问客服。'])
      evidence.add(draft('https://asking.example/1', text));
    expect(learnProfile(evidence).words).toEqual([]);
    const restored = restoreDeletedWords(draft('https://asking.example/2', '有人问金条怎么申请。'), {
      source: 'asking.example',
      documents: 3,
      words: [profileWord('题', 0.5)],
    });
    expect(restored.paragraphs).toEqual(['有人问金条怎么申请。']);
  });

  it('does not take a name that keeps a character alone (随借随还) for a deleted partner (随着)', async () => {
    const drafts = [];
    const product = [
      '在使用随借随还的过程中，要按时还款。',
      '很多人咨询关于随借随还的额度问题。',
      '与信用卡相比，随借随还的门槛更低。',
      '用户可以在APP申请随借随还，审批很快。',
    ];
    // Another site writes the product's name the same way, and uses 随着 where it belongs.
    for (let page = 0; page < 6; page++) {
      drafts.push(draft(`https://name.example/${page}`, product.join('\n')));
      drafts.push(
        draft(
          `https://other.example/${page}`,
          `${product.join('\n')}\n随着互联网金融的发展，借款越来越方便。随着年龄增长，额度也会提高。`,
        ),
      );
    }
    expect((await learnBatch(drafts)).profiles.get('name.example')?.words).toEqual([]);
  });
});

describe('restoration', () => {
  it('fills marked gaps with the profile word and leaves clean text alone', () => {
    const profile = {
      source: 'farm.example',
      documents: 1,
      words: [profileWord('电话', 1)],
    };
    const gappy = restoreDeletedWords(
      draft('https://farm.example/1', '接到骚扰 后，可以拒绝接听。'),
      profile,
    );
    expect(gappy.paragraphs).toEqual(['接到骚扰电话后，可以拒绝接听。']);
    expect(gappy.repairs.filter((r) => r.kind === 'missing-word')).toEqual([
      {
        kind: 'missing-word',
        paragraph: 0,
        before: '接到骚扰后，可以',
        after: '接到骚扰电话后，可以',
        confidence: expect.any(Number),
      },
    ]);
    expect(gappy.flags).not.toContain('possible-gap');
    const clean = draft('https://farm.example/2', '用户可以拒绝接听，或直接挂断。');
    expect(restoreDeletedWords(clean, profile)).toEqual(clean);
  });

  it('restores the seeds from the two of them alone, nothing inserted elsewhere', async () => {
    const drafts = SEED_NAMES.map((name) =>
      draftDocument({ url: pathToFileURL(seedPath(name)).href, body: seedBytes(name) }),
    );
    const batch = await learnBatch(drafts);
    const restored = [];
    for (const [i, d] of drafts.entries()) {
      const filled = await batch.restore(d);
      expect(finalizeRecord(filled, 'hans').paragraphs).toEqual(
        expectedAfterRestoration(SEED_NAMES[i] as (typeof SEED_NAMES)[number], 'hans'),
      );
      restored.push(...filled.repairs.filter((r) => r.kind === 'missing-word'));
    }
    // 19 电话 and 2 题; the two 同时 need intact text of other sites (see tests/support/seeds.ts).
    expect(restored.length).toBe(21);
  });
});

/** A paragraph sites copy from each other: what makes their pages related (evidence about each other). */
const SHARED = '借款之前一定要看清楚合同条款，了解利率和还款方式，避免产生纠纷。';

describe('unmarked places need more than character statistics', () => {
  it('does not add a profile word where other sites merely write it often (客服_进行)', async () => {
    const drafts = [];
    for (let page = 0; page < 8; page++) {
      // The filtered site: 电话 leaves a space, and it also writes 客服 on its own.
      drafts.push(
        draft(
          `https://farm.example/${page}`,
          `很多用户接到骚扰 后感到困惑。接到陌生 时应保持警惕。\n遇到问题时，建议联系平台客服进行核实。\n${SHARED}`,
        ),
      );
      for (const site of ['a', 'b'])
        drafts.push(
          draft(
            `https://${site}.example/${page}`,
            `接到骚扰电话后，可以拨打客服电话进行投诉。客服电话进行回访时，会核实身份。\n接到陌生电话时应保持警惕。\n${SHARED}`,
          ),
        );
    }
    const restored = await (await learnBatch(drafts)).restore(
      draft('https://farm.example/9', '接到骚扰 后，建议联系平台客服进行核实。'),
    );
    expect(restored.paragraphs).toEqual(['接到骚扰电话后，建议联系平台客服进行核实。']);
  });
});

describe('a site alone in its batch', () => {
  it('takes no word from a gap that a dozen compounds could fill (官方_: 官方论坛, 官方网站…)', () => {
    const evidence = new SourceEvidence('farm.example');
    const lines = ['请联系平台官方 咨询。', '可以拨打官方 核实身份。', '官方 会在三个工作日内回复。'];
    for (let page = 0; page < 10; page++)
      evidence.add(draft(`https://farm.example/${page}`, lines.join('\n')));
    expect(learnProfile(evidence).words).toEqual([]);
  });

  it('leaves what it cannot tell flagged and inserts nothing wrong', async () => {
    const result = await evaluateEachSiteAlone(makeSites(11, 6, 30));
    const message = formatEval(result);
    for (const site of result.sites) expect(site.changedCleanPages, message).toBe(0);
    expect(result.precision, message).toBeGreaterThanOrEqual(0.98);
  }, 120_000);
});

describe('simulated filtered sites (npm run eval:deleted-words measures more)', () => {
  it('restores with high precision, never touches a site that deletes nothing', async () => {
    const result = await evaluateRestoration(makeSites(11, 6, 30));
    const message = formatEval(result);
    for (const site of result.sites) expect(site.changedCleanPages, message).toBe(0);
    // Measured 99.9 % precision and 98 % recall on such batches (npm run eval:deleted-words).
    expect(result.precision, message).toBeGreaterThanOrEqual(0.98);
    expect(result.recall, message).toBeGreaterThanOrEqual(0.9);
  }, 120_000);
});
