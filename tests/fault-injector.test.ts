/**
 * The fault injector's own tests: each fault really is on the page, made the way FAULTS.md says
 * it arises, the truth is the clean text, and everything is a function of the seed.
 */
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { generateArticle } from './support/article-generator.js';
import {
  FAULT_KINDS,
  type FaultKind,
  type FaultyDocument,
  garbleTail,
  injectFaults,
  type PageScript,
  shiftedRun,
  toScript,
} from './support/fault-injector.js';

const SEEDS = Array.from({ length: 24 }, (_, i) => 100 + i);

function docs(faults: FaultKind[], script: PageScript, seeds = SEEDS): FaultyDocument[] {
  return seeds.map((seed) => injectFaults(generateArticle(seed), { seed, faults, script }));
}

/** How many documents of `list` satisfy `test`. */
function count<T>(list: T[], test: (item: T) => boolean): number {
  return list.filter(test).length;
}

describe('article generator', () => {
  it('is deterministic and varies with the seed', () => {
    expect(generateArticle(7)).toEqual(generateArticle(7));
    expect(generateArticle(7).paragraphs).not.toEqual(generateArticle(8).paragraphs);
  });

  it('writes clean prose: full-width punctuation, no spaces inside Chinese, numbered headings', () => {
    for (const seed of SEEDS) {
      const article = generateArticle(seed);
      const text = article.paragraphs.join('\n');
      expect(text).not.toMatch(/[\p{Script=Han}][,:;?!]|[,:;?!][\p{Script=Han}]/u);
      expect(text).not.toMatch(/[\p{Script=Han}，。：；？！“”] +[\p{Script=Han}，。：；？！“”]/u);
      expect(article.paragraphs.some((p) => /^[一二三四五六七八九十]、/.test(p))).toBe(true);
      expect(article.paragraphs.some((p) => /^\d+\.\d+ \S/.test(p))).toBe(true);
      expect(article.publishedAt).toBe(`${article.time.replace(' ', 'T')}+08:00`);
    }
  });
});

describe('fault injector', () => {
  it('is deterministic by seed', () => {
    const article = generateArticle(3);
    const options = { seed: 11, faults: FAULT_KINDS, script: 'tw' } as const;
    const a = injectFaults(article, options);
    const b = injectFaults(article, options);
    expect(b.text).toBe(a.text);
    expect(b.bytes).toEqual(a.bytes);
    expect(b.injected).toEqual(a.injected);
    expect(b.truth).toEqual(a.truth);
    expect(injectFaults(article, { ...options, seed: 12 }).text).not.toBe(a.text);
  });

  it('with no faults gives the clean body and its opencc conversion as the truth', () => {
    for (const script of ['hans', 'tw', 'hant'] as const) {
      const article = generateArticle(5);
      const doc = injectFaults(article, { seed: 1, faults: [], script });
      const expected = article.paragraphs.map((p) => toScript(p, script));
      expect(doc.truth.paragraphs).toEqual(expected);
      expect(doc.truth.paragraphsWithoutDeleted).toEqual(expected);
      expect(doc.text.split(/\n+/)).toEqual(expected);
      expect(doc.injected).toEqual([]);
      expect(doc.truth.title).toBeNull();
    }
  });

  describe('pinyin', () => {
    it('leaks tone-marked readings in context, some with a space inside', () => {
      const all = [...docs(['pinyin'], 'tw'), ...docs(['pinyin'], 'hans')];
      for (const doc of all) {
        const leaks = doc.injected.filter((i) => i.kind === 'pinyin');
        expect(leaks.length).toBeGreaterThan(0);
        for (const leak of leaks) {
          expect(leak.after).toMatch(/^\p{Script=Han}\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ]+ ?\)$/u);
          expect(leak.after).toMatch(/[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ]/u);
          expect(doc.text).toContain(leak.after);
        }
      }
      expect(count(all, (d) => / \)/.test(d.text))).toBeGreaterThan(0);
    });

    it('gives polyphones the reading of their context', () => {
      // 行 is háng in 银行 and xíng in 行为; 长 is cháng in 越长.
      const readings = new Map<string, Set<string>>();
      for (const doc of docs(
        ['pinyin'],
        'hans',
        Array.from({ length: 80 }, (_, i) => i),
      )) {
        for (const { after } of doc.injected) {
          const [ch, reading] = [after[0] as string, after.slice(2, -1).trim()];
          if (!readings.has(ch)) readings.set(ch, new Set());
          readings.get(ch)?.add(reading);
        }
      }
      const polyphones = [...readings].filter(([, r]) => r.size > 1);
      expect(polyphones.length).toBeGreaterThan(0);
    });
  });
});

describe('fault injector: gbk-tail', () => {
  it('reproduces the shapes real pages show, byte for byte (FAULTS.md §2, §9)', () => {
    expect(garbleTail('當', [...'得到充分保障。'], 'seed', 'tag')).toBe('?shù)玫匠浞直U稀?/p>');
    expect(garbleTail('財', [...'等。'], 'seed', 'tag')).toBe('?shù)取?/p>');
    // The third page: `變?yōu)椤` for `變為“`, where nothing followed to swallow.
    expect(garbleTail('變', [...'為“'], 'seed', 'drop')).toBe('?yōu)椤');
    // §9: back in step on a trail byte in 0x40–0x7E (錢 = E5 58), its reading after the letter.
    expect(
      shiftedRun('們', [...'在急需用錢的時候'], {
        lostReading: 'seed',
        lineEnd: 'drop',
        readingAfterResync: (ch) => (ch === '錢' ? 'qián' : undefined),
      }),
    ).toEqual({ garbled: '?cè)诩毙栌缅X(qián)', covered: 5, ending: 'resync', undecodable: false });
    expect(garbleTail('當', [...'地銀監會'], 'seed', 'drop')).toBe('?shù)劂y');
    // Full-width punctuation inside the run folded to ASCII: `拍?!副鄙蠌V深」` = `拍。「北上廣深」`.
    expect(garbleTail('拍', [...'。「北上廣深」'], 'none', 'drop')).toBe('?!副鄙蠌V');
    // An ASCII byte below 0x40 ends the run with `?`, and is read in step.
    expect(shiftedRun('款', [...'方式3天'], { lostReading: 'none', lineEnd: 'drop' })?.ending).toBe('ascii');
  });

  it('places runs anywhere in paragraphs, and each is what a WHATWG GBK decoder reads off by one byte', () => {
    const gbk = new TextDecoder('gbk');
    const fold = (s: string) =>
      s.replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
    const inside = { hans: 0, tw: 0 };
    let placed = 0;
    let placedTw = 0;
    for (const script of ['hans', 'tw'] as const) {
      // Pages that serve ASCII punctuation (§4) end Simplified runs at it.
      const all = [...docs(['gbk-tail'], script), ...docs(['gbk-tail', 'ascii-punctuation'], script)];
      expect(count(all, (d) => d.applied.includes('gbk-tail'))).toBeGreaterThan(all.length * 0.9);
      for (const doc of all) {
        for (const run of doc.injected.filter((i) => i.kind === 'gbk-tail')) {
          placed++;
          if (script === 'tw') placedTw++;
          expect(doc.text).toContain(run.after);
          if (run.unrecoverable) continue;
          const bytes = iconv.encode(run.before, 'gbk');
          // WHATWG and iconv-lite part ways in GBK's user-defined rows (private use in one, CJK
          // radicals in the other): such runs are not compared.
          if (/[\uE000-\uF8FF]/u.test(gbk.decode(bytes.subarray(1)))) continue;
          // With no other fault, what the page served is the truth: decode its bytes from P's
          // trail byte on, and the page shows that, but for the lost first character and readings.
          const decoded = [...fold(gbk.decode(bytes.subarray(1)).replace(/\uFFFD/g, '?'))];
          const shown = [...run.after.slice(1).replace(/^\?\(?[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]+\)/u, '?')]
            .join('')
            .replace(/\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]+\)$/u, '')
            .replace(/\?\/p>$/, '?');
          expect(shown.slice(1)).toBe(
            decoded
              .slice(1)
              .join('')
              .slice(0, shown.length - 1),
          );
          const para = doc.truth.paragraphs[run.paragraph] as string;
          if (!para.endsWith(run.before)) inside[script]++;
        }
      }
    }
    expect(placed).toBeGreaterThan(40);
    // On Traditional pages most runs end inside their paragraph (their characters' trail bytes
    // are often ASCII), as on real pages; Simplified text (GB2312 trail bytes A1–FE) ends them at
    // ASCII or the paragraph's end, but some still end inside.
    expect(inside.tw).toBeGreaterThan(placedTw * 0.5);
    expect(inside.hans).toBeGreaterThan(0);
  });

  it('drops a private-use pair the way stores do, or prints `?` (FAULTS.md §9: 日常深中)', () => {
    // 生 = C9 FA: read one byte off, FA BB is a pair of GBK's user-defined rows.
    const rest = [...'日常生活中重要的支付工具'];
    const question = shiftedRun('們', rest, {
      lostReading: 'none',
      lineEnd: 'drop',
      privateUse: 'question',
    });
    const dropped = shiftedRun('們', rest, { lostReading: 'none', lineEnd: 'drop', privateUse: 'dropped' });
    expect(question?.undecodable).toBe(true);
    expect(dropped?.undecodable).toBe(true);
    // Two such pairs here (生 C9 FA, 要 D2 AA): `?粘I?钪兄匾?闹…` or `?粘I钪兄匾闹…`.
    expect(question?.garbled).toMatch(/^\?粘I\?钪兄匾\?闹/u);
    expect(dropped?.garbled).toBe(`?${question?.garbled.slice(1).replaceAll('?', '')}`);
  });

  it('has every shape: readings or a bare `?`, resync letters, `?/p>`, and runs that lost a pair', () => {
    const all = [...docs(['gbk-tail', 'pinyin'], 'hans'), ...docs(['gbk-tail', 'pinyin'], 'tw')];
    const runs = all.flatMap((d) => d.injected.filter((i) => i.kind === 'gbk-tail'));
    expect(runs.some((t) => /^.\?[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]+\)/u.test(t.after))).toBe(true);
    expect(runs.some((t) => /^.\?\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]+\)/u.test(t.after))).toBe(true);
    expect(runs.some((t) => /^.\?\p{Script=Han}/u.test(t.after))).toBe(true);
    expect(runs.some((t) => /[@-~]\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]+\)$/u.test(t.after))).toBe(true);
    expect(runs.some((t) => t.after.endsWith('?/p>'))).toBe(true);
    expect(runs.some((t) => t.unrecoverable)).toBe(true);
  });
});

describe('fault injector: punctuation, script, boilerplate, charset, deleted words', () => {
  it('ascii-punctuation: ，：；？！ become ASCII next to Chinese', () => {
    for (const doc of docs(['ascii-punctuation'], 'tw')) {
      expect(doc.text).toMatch(/\p{Script=Han}[,:;?!]/u);
      expect(doc.text).not.toMatch(/[，：；？！]/u);
      expect(doc.text).toContain('。'); // untouched, as in the seeds
    }
  });

  it('half-converted: one-to-many characters stay simplified on Traditional pages', () => {
    const all = docs(['half-converted'], 'tw');
    const left = new Set(
      all.flatMap((d) => d.injected.filter((i) => i.kind === 'half-converted').map((i) => i.after)),
    );
    for (const ch of ['后', '并', '于']) expect(left).toContain(ch);
    for (const doc of all) expect(doc.text).not.toBe(doc.truth.paragraphs.join('\n'));
    // Simplified pages have nothing to half-convert.
    expect(docs(['half-converted'], 'hans').every((d) => d.injected.length === 0)).toBe(true);
  });

  it('boilerplate: byline, repeated title, disclaimer, takedown line, navigation words, residue', () => {
    for (const doc of docs(['boilerplate'], 'tw')) {
      const lines = doc.text.split('\n').filter((l) => l.length > 0);
      expect(lines[0]).toBe(doc.truth.title);
      expect(lines[1]).toMatch(/^\S+ \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      expect(lines[1]?.startsWith(doc.truth.category as string)).toBe(true);
      expect(count(lines, (l) => l === doc.truth.title)).toBe(2);
      expect(doc.text).toMatch(/聲明：/);
      expect(doc.text).toMatch(/\d{6,}@qq\.com/);
      expect(doc.text).toContain('_x0008_');
      expect(lines.some((l) => ['投訴', '相關推薦', '最新文章', '隨機看看'].includes(l))).toBe(true);
      expect(doc.truth.published_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
    }
  });

  describe('charset', () => {
    it('serves GBK, GB18030, Big5 or UTF-8 bytes, sometimes declaring another charset', () => {
      const all = [...docs(['charset'], 'tw'), ...docs(['charset'], 'hans')];
      const used = new Set<string>();
      for (const doc of all) {
        expect(doc.bytes).toBeDefined();
        expect(doc.raw.body).toBe(doc.bytes);
        used.add(doc.charset as string);
        // The bytes hold the page exactly in the charset they were encoded in.
        expect(iconv.decode(Buffer.from(doc.bytes as Uint8Array), doc.charset as string)).toBe(doc.text);
      }
      expect([...used].sort()).toEqual(expect.arrayContaining(['big5', 'gbk', 'utf-8']));
      const lying = all.filter((d) => d.declaredCharset && d.declaredCharset !== d.charset);
      expect(lying.length).toBeGreaterThan(0);
      const html = all.filter((d) => d.format === 'html');
      expect(html.length).toBeGreaterThan(0);
      expect(html.some((d) => /<meta[^>]+charset=/i.test(d.text) && d.declaredCharset !== d.charset)).toBe(
        true,
      );
    });

    it('mis-decodes some lines: UTF-8 bytes read as GBK and written back as UTF-8', () => {
      const all = docs(
        ['charset'],
        'hans',
        Array.from({ length: 60 }, (_, i) => i),
      );
      const lines = all.flatMap((d) => d.injected.filter((i) => i.kind === 'charset' && i.paragraph >= 0));
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        expect(iconv.decode(iconv.encode(line.after, 'gbk'), 'utf8')).toBe(line.before);
      }
    });
  });

  it('deleted-words: 2–5 words taken out, some leaving a space, the truth with and without them', () => {
    const all = [...docs(['deleted-words'], 'hans'), ...docs(['deleted-words'], 'tw')];
    expect(count(all, (d) => d.truth.deletedWords.length >= 2)).toBeGreaterThan(all.length * 0.8);
    for (const doc of all) {
      expect(doc.truth.deletedWords.length).toBeLessThanOrEqual(5);
      if (doc.truth.deletedWords.length === 0) continue;
      expect(doc.truth.paragraphsWithoutDeleted).not.toEqual(doc.truth.paragraphs);
      for (const p of doc.truth.paragraphsWithoutDeleted)
        expect(p).not.toMatch(/\p{Script=Han} \p{Script=Han}/u);
    }
    expect(count(all, (d) => /[\p{Script=Han}，“”] [\p{Script=Han}，“”]/u.test(d.text))).toBeGreaterThan(0);
    expect(all.some((d) => d.injected.some((i) => i.kind === 'deleted-words' && i.after === ''))).toBe(true);
  });

  it('names every fault it placed, and only those', () => {
    for (const doc of docs([...FAULT_KINDS], 'tw')) {
      expect(new Set(doc.injected.map((i) => i.kind))).toEqual(new Set(doc.applied));
      expect(doc.applied).toEqual(
        expect.arrayContaining(['pinyin', 'ascii-punctuation', 'half-converted', 'boilerplate']),
      );
    }
  });
});
