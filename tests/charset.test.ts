import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeBytes } from '../src/normalize/encoding/decode-bytes.js';
import { repairMisdecodedText } from '../src/normalize/mojibake/index.js';

// Short finance-FAQ sentences written for these tests, in both scripts, with ASCII, digits and
// punctuation mixed in. Every input below is generated from them by encoding and mis-decoding.
const SIMPLIFIED = [
  '请问信用卡逾期一天会影响个人征信吗？',
  '定期存款提前支取的部分，按活期利率计息。',
  '基金赎回的资金一般在三个工作日内到账。',
  '办理房贷需要准备身份证、收入证明和银行流水。',
  '理财产品不保本，投资者应根据自身风险承受能力谨慎选择。',
  '年化收益率为3.5%，起购金额为1000元。',
  '如何开通手机银行的转账功能？',
  '贷款还清后，抵押登记需要本人到场办理注销。',
  '股票账户里的资金可以通过银证转账转回银行卡。',
  '保险合同的犹豫期通常为十五天，期间退保可以全额退还保费。',
  '使用APP还款时，请确认绑定的储蓄卡余额充足。',
  '客服热线：95588，工作时间为每天8:00至20:00。',
];
const TRADITIONAL = [
  '請問信用卡逾期一天會影響個人信用紀錄嗎？',
  '定期存款提前解約的部分，按活期利率計息。',
  '基金贖回的資金一般在三個營業日內入帳。',
  '辦理房屋貸款需要準備身分證、收入證明和銀行存摺影本。',
  '理財商品不保本，投資人應依自身風險承受能力審慎選擇。',
  '年化報酬率為3.5%，最低申購金額為新臺幣1000元。',
  '如何開通網路銀行的轉帳功能？',
  '貸款還清後，抵押權塗銷需要本人親自辦理。',
  '證券帳戶裡的資金可以透過銀行轉帳匯回。',
  '保險契約的猶豫期通常為十天，期間撤銷可以全額退還保費。',
  '使用APP繳款時，請確認綁定的存款帳戶餘額充足。',
  '客服專線：0800-123-456，服務時間為每天8:00至20:00。',
];
const ALL = [...SIMPLIFIED, ...TRADITIONAL];
/** Paragraphs of two or three sentences, the size the caller hands to `repairMisdecodedText`. */
const PARAGRAPHS = [
  ...SIMPLIFIED.map((s, i) => s + SIMPLIFIED[(i + 5) % SIMPLIFIED.length]),
  ...TRADITIONAL.map((s, i) => s + TRADITIONAL[(i + 7) % TRADITIONAL.length]),
  SIMPLIFIED.slice(0, 3).join(''),
  TRADITIONAL.slice(3, 6).join(''),
];

function page(body: string, meta = ''): string {
  return `<!DOCTYPE html><html><head>${meta}<title>FAQ</title></head><body><p>${body}</p></body></html>`;
}
const metaCharset = (charset: string) => `<meta charset="${charset}">`;
const metaHttpEquiv = (charset: string) =>
  `<meta http-equiv="Content-Type" content="text/html; charset=${charset}">`;

/** What a decoder makes of UTF-8 bytes when it has the wrong charset. */
const misread = (text: string, from: string, as: string) => iconv.decode(iconv.encode(text, from), as);

/** Windows-1252 as browsers decode it: the five undefined bytes become U+0081, U+008D… (no loss). */
function browserWindows1252(bytes: Buffer): string {
  let out = '';
  for (const byte of bytes) {
    const char = iconv.decode(Buffer.of(byte), 'windows-1252');
    out += char === '\uFFFD' ? String.fromCharCode(byte) : char;
  }
  return out;
}

/** A deterministic byte stream, so that failures reproduce. */
function noise(length: number, seed: number): Buffer {
  const bytes = Buffer.alloc(length);
  let state = seed;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    bytes[i] = state >>> 24;
  }
  return bytes;
}

describe('test sentences', () => {
  it('are representable in the charsets the tests use', () => {
    for (const s of ALL) expect(iconv.decode(iconv.encode(s, 'gbk'), 'gbk')).toBe(s);
    for (const s of TRADITIONAL) expect(iconv.decode(iconv.encode(s, 'big5'), 'big5')).toBe(s);
  });
});

const simplified = page(SIMPLIFIED.join('</p><p>'));
const traditional = page(TRADITIONAL.join('</p><p>'));

describe('decodeBytes: charsets, declarations, BOMs', () => {
  it.each([
    ['gbk', simplified],
    ['gbk', traditional],
    ['gb18030', simplified],
    ['big5', traditional],
    ['utf-8', simplified],
    ['utf-8', traditional],
  ])('recovers %s bytes with no meta and reports no repair', (charset, text) => {
    const decoded = decodeBytes(iconv.encode(text, charset));
    expect(decoded.text).toBe(text);
    expect(decoded.repairs).toEqual([]);
    expect(decoded.flags).toEqual([]);
  });

  it.each([
    ['gbk', 'gbk', SIMPLIFIED, 'gbk'],
    ['gb2312', 'gbk', SIMPLIFIED, 'gbk'],
    ['gb18030', 'gb18030', TRADITIONAL, 'gb18030'],
    ['big5', 'big5', TRADITIONAL, 'big5'],
    ['utf-8', 'utf-8', SIMPLIFIED, 'utf-8'],
  ])('trusts a correct <meta charset=%s>', (label, encoding, sentences, charset) => {
    for (const meta of [metaCharset(label), metaHttpEquiv(label)]) {
      const text = page(sentences.join('</p><p>'), meta);
      const decoded = decodeBytes(iconv.encode(text, encoding));
      expect(decoded).toEqual({ text, charset, repairs: [], flags: [] });
    }
  });

  it.each([
    ['big5', 'gb2312', TRADITIONAL, 'gbk'],
    ['big5', 'utf-8', TRADITIONAL, 'utf-8'],
    ['gbk', 'big5', SIMPLIFIED, 'big5'],
    ['gbk', 'utf-8', TRADITIONAL, 'utf-8'],
    ['gbk', 'iso-8859-1', SIMPLIFIED, 'windows-1252'],
    ['utf-8', 'gbk', SIMPLIFIED, 'gbk'],
    ['utf-8', 'big5', TRADITIONAL, 'big5'],
  ])('sees through %s bytes that declare %s, and records the lie', (encoding, label, sentences, declared) => {
    const text = page(sentences.join('</p><p>'), metaCharset(label));
    const decoded = decodeBytes(iconv.encode(text, encoding));
    expect(decoded.text).toBe(text);
    expect(decoded.repairs).toHaveLength(1);
    expect(decoded.repairs[0]).toMatchObject({ kind: 'charset', before: declared, after: decoded.charset });
    expect(decoded.repairs[0]?.confidence).toBeGreaterThan(0.9);
    expect(decoded.charset).toBe(encoding === 'gbk' ? 'gb18030' : encoding);
  });

  it('takes the declaration from Content-Type before <meta>, then the hint', () => {
    const text = page(TRADITIONAL.join(''), metaCharset('big5'));
    const bytes = iconv.encode(text, 'big5');
    const lied = decodeBytes(bytes, { contentType: 'text/html; charset=GB2312', declared: 'utf-8' });
    expect(lied.text).toBe(text);
    expect(lied.repairs).toEqual([
      { kind: 'charset', before: 'gbk', after: 'big5', confidence: expect.any(Number) },
    ]);

    const silent = page(SIMPLIFIED.join(''));
    const hinted = decodeBytes(iconv.encode(silent, 'gbk'), { declared: 'gbk' });
    expect(hinted).toEqual({ text: silent, charset: 'gbk', repairs: [], flags: [] });
    const wrongHint = decodeBytes(iconv.encode(silent, 'gbk'), { declared: 'big5' });
    expect(wrongHint.text).toBe(silent);
    expect(wrongHint.repairs[0]).toMatchObject({ before: 'big5', after: 'gb18030' });
  });

  it('lets a BOM win over any declaration', () => {
    const text = page(SIMPLIFIED.join(''), metaCharset('gbk'));
    const cases: [Buffer, string][] = [
      [Buffer.concat([Buffer.of(0xef, 0xbb, 0xbf), iconv.encode(text, 'utf-8')]), 'utf-8'],
      [Buffer.concat([Buffer.of(0xff, 0xfe), iconv.encode(text, 'utf-16le')]), 'utf-16le'],
      [Buffer.concat([Buffer.of(0xfe, 0xff), iconv.encode(text, 'utf-16be')]), 'utf-16be'],
    ];
    for (const [bytes, charset] of cases) {
      const decoded = decodeBytes(bytes);
      expect(decoded.text).toBe(text);
      expect(decoded.charset).toBe(charset);
      expect(decoded.repairs).toEqual([{ kind: 'charset', before: 'gbk', after: charset, confidence: 1 }]);
    }
  });

  it('finds UTF-16 without a BOM, declared or not', () => {
    for (const charset of ['utf-16le', 'utf-16be']) {
      for (const text of [simplified, traditional]) {
        const bytes = iconv.encode(text, charset, { addBOM: false });
        expect(decodeBytes(bytes)).toMatchObject({ text, charset, repairs: [] });
        expect(decodeBytes(bytes, { contentType: `text/html; charset=${charset}` })).toMatchObject({
          text,
          charset,
        });
      }
    }
  });
});

describe('decodeBytes: odd labels, garbage, samples', () => {
  it('keeps a GBK page declared as GB2312 as it is, even with GB18030-only characters', () => {
    const text = page(`${SIMPLIFIED[0]}€𠀀`, metaCharset('gb2312'));
    const decoded = decodeBytes(iconv.encode(text, 'gb18030'));
    expect(decoded).toEqual({ text, charset: 'gbk', repairs: [], flags: [] });
  });

  it('decodes plain ASCII as declared, and flags a label it does not know', () => {
    expect(decodeBytes(Buffer.from('<meta charset="gb2312"><p>FAQ</p>'))).toMatchObject({
      charset: 'gbk',
      repairs: [],
    });
    const decoded = decodeBytes(Buffer.from('<meta charset="x-klingon"><p>FAQ 2024</p>'));
    expect(decoded.text).toBe('<meta charset="x-klingon"><p>FAQ 2024</p>');
    expect(decoded.flags).toEqual(['unknown-charset:x-klingon']);
    expect(decoded.repairs).toEqual([]);
  });

  it('never throws on binary garbage or empty input, and flags the garbage', () => {
    expect(decodeBytes(new Uint8Array())).toEqual({ text: '', charset: 'utf-8', repairs: [], flags: [] });
    for (const seed of [1, 2, 3, 4, 5]) {
      const decoded = decodeBytes(noise(5000, seed), { contentType: 'application/octet-stream' });
      expect(typeof decoded.text).toBe('string');
      expect(decoded.flags).toContain('undecodable');
    }
  });

  it('samples where the Chinese is, past a long ASCII head', () => {
    const head = `<script>${'var x = 1;\n'.repeat(30_000)}</script>`;
    const text = page(head + TRADITIONAL.join('</p><p>'), metaCharset('gb2312'));
    const decoded = decodeBytes(iconv.encode(text, 'big5'));
    expect(decoded.text).toBe(text);
    expect(decoded.repairs).toMatchObject([{ before: 'gbk', after: 'big5' }]);
  });

  it('decides on a sample and decodes a large body once', () => {
    const text = page(TRADITIONAL.join('').repeat(60_000), metaCharset('gb2312')); // about 10 MB as Big5
    const bytes = iconv.encode(text, 'big5');
    const started = performance.now();
    const decoded = decodeBytes(bytes);
    const elapsed = performance.now() - started;
    expect(decoded.charset).toBe('big5');
    expect(decoded.text.length).toBe(text.length);
    expect(elapsed).toBeLessThan(4000);
  });
});

/** Characters that differ between two strings of the same length, or Infinity. */
const differences = (a: string, b: string) => {
  const [x, y] = [[...a], [...b]];
  return x.length === y.length ? x.filter((c, i) => c !== y[i]).length : Number.POSITIVE_INFINITY;
};

describe('repairMisdecodedText: what it restores', () => {
  it('restores UTF-8 that was read as GBK', () => {
    const mojibake = misread('取得贷款前需要准备什么？', 'utf-8', 'gbk');
    expect(mojibake.startsWith('鍙栧緱璐锋')).toBe(true);
    const { text, repairs, flags } = repairMisdecodedText(mojibake);
    expect(text).toBe('取得贷款前需要准备什么？');
    expect(repairs).toEqual([{ kind: 'charset', before: mojibake, after: text, confidence: 1 }]);
    expect(flags).toEqual([]);
    expect(repairMisdecodedText('鍙栧緱').text).toBe('取得');
    expect(repairMisdecodedText('å¹´åˆ©çŽ‡').text).toBe('年利率');
  });

  it.each([
    ['UTF-8 read as GBK', 'utf-8', 'gbk', ALL],
    ['UTF-8 read as GB18030', 'utf-8', 'gb18030', ALL],
    ['UTF-8 read as Latin-1', 'utf-8', 'latin1', ALL],
    ['UTF-8 read as Windows-1252', 'utf-8', 'windows-1252', ALL],
    ['GBK read as Big5', 'gbk', 'big5', SIMPLIFIED],
    ['Big5 read as GBK', 'big5', 'gbk', TRADITIONAL],
  ])('restores %s', (_name, from, as, sentences) => {
    const originals = [...sentences, ...PARAGRAPHS.filter((p) => sentences.some((s) => p.startsWith(s)))];
    let lossy = 0;
    let guessedRight = 0;
    let listed = 0;
    for (const original of originals) {
      const mojibake = misread(original, from, as);
      const lostBytes = mojibake.split('\uFFFD').length - 1;
      if (lostBytes > 0 && from !== 'utf-8') continue; // Big5's gaps lose two bytes at once: see below
      const { text, repairs, unresolved } = repairMisdecodedText(mojibake);
      if (lostBytes > 0 && repairs.length === 0) {
        // A lost byte the model cannot place surely: the paragraph stays as it came, listed whole.
        expect(text).toBe(mojibake);
        expect(unresolved).toEqual([{ kind: 'unrepaired-mojibake', start: 0, end: mojibake.length }]);
        listed++;
        continue;
      }
      expect(repairs, mojibake).toEqual([
        { kind: 'charset', before: mojibake, after: text, confidence: expect.any(Number) },
      ]);
      if (lostBytes === 0) {
        // Nothing was lost: the repair is exact arithmetic.
        expect(text, mojibake).toBe(original);
        expect(repairs[0]?.confidence).toBeGreaterThan(0.9);
      } else {
        // The model put lost bytes back: only those characters may be wrong, and most are right.
        lossy++;
        if (text === original) guessedRight++;
        expect(differences(text, original), mojibake).toBeLessThanOrEqual(lostBytes);
        expect(repairs[0]?.confidence).toBeGreaterThanOrEqual(0.8);
      }
    }
    expect(guessedRight).toBeGreaterThanOrEqual(lossy * 0.85);
    // Most lossy paragraphs are still put back.
    expect(listed).toBeLessThanOrEqual(lossy);
  });

  it('restores UTF-8 read as Windows-1252 by a browser (no byte lost)', () => {
    for (const original of PARAGRAPHS) {
      const mojibake = browserWindows1252(iconv.encode(original, 'utf-8'));
      expect(repairMisdecodedText(mojibake).text).toBe(original);
    }
  });

  it('puts back the byte a GBK decoder dropped before ASCII or the end, and says how sure it is', () => {
    const original = '年利率为3.5%，按月付息。';
    const mojibake = misread(original, 'utf-8', 'gbk');
    expect(mojibake.startsWith('骞村埄鐜囦负3.5%锛屾寜')).toBe(true);
    expect(mojibake.endsWith('\uFFFD')).toBe(true);
    const { text, repairs } = repairMisdecodedText(mojibake);
    expect(text).toBe(original);
    expect(repairs[0]?.confidence).toBeGreaterThan(0.5);
    expect(repairs[0]?.confidence).toBeLessThan(1);
  });
});

describe('repairMisdecodedText: what it leaves alone', () => {
  it('leaves alone what it cannot undo exactly: it never makes text worse', () => {
    // UTF-8 read as Big5 loses two bytes at most characters; GBK read as Big5 hits Big5's gaps.
    for (const [from, as, sentences] of [
      ['utf-8', 'big5', ALL],
      ['gbk', 'big5', SIMPLIFIED],
    ] as const) {
      for (const original of [...sentences, ...PARAGRAPHS]) {
        const mojibake = misread(original, from, as);
        const { text } = repairMisdecodedText(mojibake);
        expect([original, mojibake], mojibake).toContain(text);
      }
    }
  });

  it('never changes clean text in either script, with ASCII, digits and punctuation', () => {
    const piece = fc.oneof(
      fc.constantFrom(...ALL),
      fc.constantFrom(...ALL).map((s) => s.slice(0, Math.max(1, s.length >> 1))),
      fc.string({ unit: 'grapheme-ascii', maxLength: 12 }),
      fc.integer({ min: 0, max: 99_999 }).map(String),
      fc.constantFrom('，', '。', '、', '：', '（', '）', '“', '”', '《', '》', '——', '…', ' ', '\n'),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const text = pieces.join('');
        expect(repairMisdecodedText(text)).toEqual({ text, repairs: [], flags: [] });
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws on garbage or empty input', () => {
    expect(repairMisdecodedText('')).toEqual({ text: '', repairs: [], flags: [] });
    for (const seed of [1, 2, 3]) {
      for (const charset of ['gbk', 'big5', 'latin1', 'utf-8', 'utf-16le']) {
        const garbage = iconv.decode(noise(600, seed), charset);
        expect(() => repairMisdecodedText(garbage)).not.toThrow();
      }
    }
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
        expect(typeof repairMisdecodedText(text).text).toBe('string');
      }),
      { numRuns: 200 },
    );
  });

  it('is cheap on clean text', () => {
    const text = PARAGRAPHS.join('\n');
    repairMisdecodedText(text);
    const started = performance.now();
    for (let i = 0; i < 200; i++) for (const p of PARAGRAPHS) repairMisdecodedText(p);
    const bytes = 200 * Buffer.byteLength(text);
    const megabytesPerSecond = bytes / 1e6 / ((performance.now() - started) / 1000);
    expect(megabytesPerSecond).toBeGreaterThan(3);
  });
});
