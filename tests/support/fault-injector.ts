/**
 * Puts the faults of FAULTS.md into a clean generated article, each the way it arises in the
 * wild, and says exactly what the normalizer must make of the result.
 *
 * Every line of the page is kept as a list of cells, one per clean Simplified character, with what
 * the truth says there (the output script), what the site served (`shown`: half-converted or not),
 * whether the site's filter deleted it, and the pinyin reading that leaked after it. Conversions
 * between the scripts are character for character (checked), so every fault is placed on a cell
 * and the truth is read off the same cells. A garbled GBK tail replaces the cells after its start
 * with what a decoder that slipped by one byte made of them.
 *
 *   clean article ─ lines of cells ─ half-converted ─ deleted words ─ GBK tails ─ pinyin ─
 *   ASCII punctuation ─ control residue ─ render (text dump or HTML) ─ mis-decoded lines ─ bytes
 */
import iconv from 'iconv-lite';
import * as OpenCC from 'opencc-js';
import { pinyin } from 'pinyin-pro';
import type { RawDocument } from '../../src/records/raw.js';
import { type Article, generateArticle, Rng } from './article-generator.js';

export const FAULT_KINDS = [
  'pinyin',
  'gbk-tail',
  'ascii-punctuation',
  'half-converted',
  'boilerplate',
  'charset',
  'deleted-words',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Scripts a faulty page can be written in. */
export type PageScript = 'hans' | 'tw' | 'hant';

export interface InjectOptions {
  seed: number;
  faults: readonly FaultKind[];
  script: PageScript;
  /**
   * `text`: a text dump like the seeds. `html`: a page with markup (pinyin may come as `<ruby>`).
   * By default a text dump, except that a `charset` fault serves HTML (with its `<meta charset>`)
   * about half the time.
   */
  format?: 'text' | 'html';
  /**
   * With the boilerplate fault, a text dump also carries a site's chrome around the article, as
   * real captures do (FAULTS.md §9): masthead, nav bar and breadcrumb above the title; share
   * widget, related list and copyright below. Off by default (the seeds' layout only).
   */
  layoutChrome?: boolean;
}

export interface InjectedFault {
  kind: FaultKind;
  /** Index into `truth.paragraphs`; -1 for the title, the boilerplate and the document as a whole. */
  paragraph: number;
  /** What the clean page said (in the page's script); '' for added boilerplate. */
  before: string;
  /** What the faulty page says instead. */
  after: string;
  /** The page lost what would undo it (a shifted run that lost a byte pair): it can only be listed. */
  unrecoverable?: true;
}

export interface Truth {
  /** The title in the page's script, or null when the page does not show it (a bare body dump). */
  title: string | null;
  /** The title without the words the site's filter deleted (what the normalizer can reach). */
  titleWithoutDeleted: string | null;
  category: string | null;
  /** ISO 8601 with offset, or null when the page shows no time. */
  published_at: string | null;
  /** The clean body in the page's script: opencc-js `cn`→`t`/`tw` of the Simplified article. */
  paragraphs: string[];
  /** The same with the site filter's words taken out (and no stray spaces): issue 2's target. */
  paragraphsWithoutDeleted: string[];
  /** The words the site's filter deleted, Simplified. */
  deletedWords: string[];
}

export interface FaultyDocument {
  /** The page as text: the dump, or the HTML source (before any encoding into `bytes`). */
  text: string;
  /** The page as bytes, only with the `charset` fault. */
  bytes?: Uint8Array;
  format: 'text' | 'html';
  /** The charset of `bytes`, and what the page or header claims (undefined: nothing claimed). */
  charset?: string;
  declaredCharset?: string;
  /** Ready for `normalizeDocument`. */
  raw: RawDocument;
  script: PageScript;
  /** The faults that could be placed (a fault with no place to go, e.g. no word to delete, is absent). */
  applied: FaultKind[];
  truth: Truth;
  injected: InjectedFault[];
}

// ---------------------------------------------------------------------------------------------
// Script conversion

const OPENCC_TARGET: Record<Exclude<PageScript, 'hans'>, string> = { tw: 'tw', hant: 't' };
const converters = new Map<string, (text: string) => string>();

/** opencc-js `cn` → `t`/`tw`: how the project defines its Traditional output. */
export function toScript(text: string, script: PageScript): string {
  if (script === 'hans') return text;
  const convert = converters.get(script) ?? OpenCC.Converter({ from: 'cn', to: OPENCC_TARGET[script] });
  converters.set(script, convert);
  return convert(text);
}

type DictPair = [string, string];

function dictPairs(dict: unknown): DictPair[] {
  if (typeof dict !== 'string') return (dict as DictPair[]) ?? [];
  return dict
    .split('|')
    .map((entry) => entry.split(' '))
    .filter((parts): parts is DictPair => parts.length >= 2 && parts[0] !== '' && parts[1] !== undefined);
}

const naiveTables = new Map<PageScript, Map<string, string>>();

/**
 * The table of a character-by-character converter (FAULTS.md §5): opencc-js's single-character
 * Simplified→Traditional entries, minus every character whose conversion depends on the word it
 * stands in (皇后/後, 并/並, 于/於, 里/裏, 台/臺/颱…): those are the one-to-many characters, and such
 * a converter leaves them simplified. For Taiwan the regional variants (爲→為, 着→著) follow.
 */
export function naiveTable(script: Exclude<PageScript, 'hans'>): Map<string, string> {
  let table = naiveTables.get(script);
  if (table) return table;
  const { Locale } = OpenCC;
  const [phrases, characters] = (Locale.from.cn?.[0] ?? []) as unknown[];
  const defaults = new Map(dictPairs(characters));
  // One-to-many: some phrase converts the character otherwise than its single-character default.
  const oneToMany = new Set<string>();
  for (const [from, to] of dictPairs(phrases)) {
    const f = [...from];
    const t = [...to];
    if (f.length !== t.length) continue;
    f.forEach((ch, i) => {
      if ((defaults.get(ch) ?? ch) !== t[i]) oneToMany.add(ch);
    });
  }
  table = new Map();
  for (const [simplified, traditional] of defaults)
    if (!oneToMany.has(simplified)) table.set(simplified, traditional);
  if (script === 'tw') {
    const regional = new Map(dictPairs(Locale.to.tw?.[0]?.[1]));
    const composed = new Map<string, string>();
    for (const [s, t] of table) composed.set(s, regional.get(t) ?? t);
    // Characters OpenCC's standard keeps as they are but Taiwan writes otherwise (着→著).
    for (const [t, tw] of regional) if (!composed.has(t) && !defaults.has(t)) composed.set(t, tw);
    table = composed;
  }
  naiveTables.set(script, table);
  return table;
}

// ---------------------------------------------------------------------------------------------
// Lines of cells

interface Cell {
  /** The clean Simplified character. */
  clean: string;
  /** What the truth has here, in the page's script. */
  truth: string;
  /** What the site served here (a naive converter's output with the half-converted fault). */
  shown: string;
  /** Context-aware tone-marked reading of this character, for the pinyin fault. */
  reading: string;
  /** This cell's reading leaked into the text, `(dǎo)` or `(huì )`. */
  annotated?: { spaceInside: boolean };
  deleted?: boolean;
  /** A deleted run that starts here left one space behind. */
  gapSpace?: boolean;
  /** Control-code residue standing before this cell. */
  residue?: string;
  /** Inside a shifted GBK run: rendered by the run, not by the cell. */
  inRun?: boolean;
}

type LineRole =
  | 'title'
  | 'byline'
  | 'spam'
  | 'body'
  | 'title-repeat'
  | 'disclaimer'
  | 'takedown'
  | 'nav'
  | 'residue';

interface PlacedRun {
  /** The cell after which the decoder slipped (P of FAULTS.md §2); it is rendered normally. */
  after: number;
  /** The run covers the cells (after, until); from `until` on the line renders normally again. */
  until: number;
  /** What the page shows for the covered cells: `?cè)诩毙栌缅X(qián)`, `?shù)玫匠浞直U稀?/p>`. */
  garbled: string;
}

interface Line {
  role: LineRole;
  /** Index of the truth paragraph for body lines, else -1. */
  paragraph: number;
  cells: Cell[];
  /** Shifted GBK runs, left to right, not overlapping. */
  runs?: PlacedRun[];
  asciiPunctuation?: boolean;
  /** Replaces the rendered line: the text was mis-decoded before it reached the page. */
  misdecoded?: string;
}

/**
 * One line of the page as cells. Readings are only worked out for pages that leak them:
 * context-aware pinyin is the slow part of injecting faults.
 */
function makeLine(
  role: LineRole,
  paragraph: number,
  simplified: string,
  script: PageScript,
  withReadings: boolean,
): Line {
  const clean = [...simplified];
  const truth = [...toScript(simplified, script)];
  if (truth.length !== clean.length)
    throw new Error(
      `conversion to ${script} is not character for character: ${simplified} → ${truth.join('')}`,
    );
  const readings = withReadings
    ? (pinyin(simplified, { type: 'all', toneSandhi: false }) as { pinyin: string; isZh: boolean }[])
    : [];
  const cells = clean.map((ch, i) => ({
    clean: ch,
    truth: truth[i] as string,
    shown: truth[i] as string,
    reading:
      readings.length === clean.length && readings[i]?.isZh ? toneMarked(ch, readings[i]?.pinyin ?? '') : '',
  }));
  return { role, paragraph, cells };
}

const TONE_MARK = /[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ]/u;

/**
 * The reading a site prints: the one in context (行 is háng in 银行, xíng in 行为). Annotators
 * print tone-marked syllables; where the context gives a neutral tone (个 in 这个: ge), they print
 * the character's citation reading (gè). Characters without any tone-marked reading are skipped.
 * Tone sandhi (一 as yí before a fourth tone) is not applied: annotators give dictionary tones.
 */
function toneMarked(ch: string, inContext: string): string {
  if (TONE_MARK.test(inContext)) return inContext;
  const citation = pinyin(ch, { toneSandhi: false });
  return TONE_MARK.test(citation) ? citation : '';
}

function truthOf(line: Line, withoutDeleted: boolean): string {
  return line.cells
    .filter((c) => !(withoutDeleted && c.deleted))
    .map((c) => c.truth)
    .join('');
}

/** Han characters and the punctuation of Chinese prose (the normalizer's own notion of CJK). */
const CJK = /[\p{Script=Han}\u3000-\u303f\uff01-\uff0f\uff1a-\uff20“”‘’…—]/u;
const HAN = /\p{Script=Han}/u;

// ---------------------------------------------------------------------------------------------
// Boilerplate (FAULTS.md §6)

const DISCLAIMERS = [
  '声明：资讯来源于网络，属作者个人观点，仅供参考。',
  '声明：本文内容来源于网络，仅供参考，不代表本站观点。',
  '免责声明：本站部分文章来源于网络，版权归原作者所有。',
];
const NAV_WORDS = ['投诉', '相关推荐', '最新文章', '随机看看'];
const SPAM = ['急用钱？加微信秒批，当天下款。', '网贷口子大全，黑户也能借，详情加微信。'];
const RESIDUE = '_x0008_';

/** A site's chrome around the article in a text dump: what `layoutChrome` adds (own words). */
function siteChrome(article: Article, script: PageScript, rng: Rng): { head: string[]; tail: string[] } {
  const site = rng.pick(SITE_NAMES);
  const related = [1, 2, 3].map((k) => generateArticle(article.seed * 7 + k).title);
  const head = [
    site,
    '首页 | 网贷 | 信用卡 | 征信 | 联系我们',
    `当前位置：首页 > ${article.category} > 正文`,
  ];
  const tail = ['分享到：微信 微博 QQ空间', '相关阅读', ...related, `Copyright © 2024 ${site} 版权所有`];
  return { head: head.map((l) => toScript(l, script)), tail: tail.map((l) => toScript(l, script)) };
}

function takedownLine(rng: Rng): string {
  const phone = `1${rng.int(3, 9)}${String(rng.int(0, 999_999_999)).padStart(9, '0')}`;
  const qq = String(rng.int(10_000_000, 3_999_999_999));
  return rng.chance(0.7)
    ? `内容侵权、删帖举报联系方式：${phone} ${qq}@qq.com`
    : `如有侵权请联系删除，邮箱：${qq}@qq.com`;
}

// ---------------------------------------------------------------------------------------------
// Deleted words (FAULTS.md §3)

interface FilteredWord {
  /** What the filter deletes. */
  word: string;
  /** Only inside this word (the `题` of `问题`). */
  within?: string;
  /** Whether this site's filter can leave a space where the word stood. */
  space: boolean | 'sometimes';
}

const FILTERED_WORDS: FilteredWord[] = [
  { word: '电话', space: 'sometimes' },
  { word: '题', within: '问题', space: false },
  { word: '同时', space: false },
  { word: '催收', space: 'sometimes' },
  { word: '套现', space: 'sometimes' },
  { word: '代还', space: 'sometimes' },
  { word: '客服', space: 'sometimes' },
  { word: '诈骗', space: 'sometimes' },
];

/** Cell ranges `[start, end)` of `word` (inside `within`) in a line's clean text. */
function occurrences(line: Line, spec: FilteredWord): [number, number][] {
  const clean = line.cells.map((c) => c.clean);
  const host = [...(spec.within ?? spec.word)];
  const offset = (spec.within ?? spec.word).indexOf(spec.word);
  const length = [...spec.word].length;
  const out: [number, number][] = [];
  for (let at = 0; at + host.length <= clean.length; at++) {
    if (!host.every((ch, k) => clean[at + k] === ch)) continue;
    out.push([at + offset, at + offset + length]);
    at += host.length - 1;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Shifted GBK runs (FAULTS.md §2, §8 and §9)

const gbkCharCache = new Map<number, string | null>();

/** The character of a GBK double-byte code, when it decodes to one that encodes back the same. */
function gbkChar(lead: number, trail: number): string | undefined {
  if (lead < 0x81 || lead > 0xfe || trail < 0x40 || trail > 0xfe || trail === 0x7f) return undefined;
  const key = (lead << 8) | trail;
  let ch = gbkCharCache.get(key);
  if (ch === undefined) {
    const decoded = iconv.decode(Buffer.from([lead, trail]), 'gbk');
    const code = decoded.codePointAt(0) ?? 0xfffd;
    const ok =
      decoded.length === 1 &&
      code !== 0xfffd &&
      !(code >= 0xe000 && code <= 0xf8ff) &&
      iconv.encode(decoded, 'gbk').equals(Buffer.from([lead, trail]));
    ch = ok ? decoded : null;
    gbkCharCache.set(key, ch);
  }
  return ch ?? undefined;
}

/** The two GBK bytes of a character, when it has them. */
function gbkBytes(ch: string): [number, number] | undefined {
  const bytes = iconv.encode(ch, 'gbk');
  if (bytes.length !== 2 || gbkChar(bytes[0] as number, bytes[1] as number) !== ch) return undefined;
  return [bytes[0] as number, bytes[1] as number];
}

/** Full-width forms FF01–FF5E folded to ASCII, as the scraper's width normalization did. */
function foldWidth(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  return code >= 0xff01 && code <= 0xff5e ? String.fromCharCode(code - 0xfee0) : ch;
}

function readingOfLost(ch: string): string | undefined {
  if (!HAN.test(ch)) return undefined;
  const reading = pinyin(ch, { toneSandhi: false });
  return /^[a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜńňǹḿ]+$/u.test(reading) ? reading : undefined;
}

/** How the annotator showed the lost first character's reading: `?shù)` (the seeds), `?(shù)`, or not. */
export type LostReading = 'seed' | 'bracketed' | 'none';
/** What became of the lone last byte at the line's end: `?/p>` (it swallowed the `<` of `</p>`),
 * `?`, or nothing (the scraper dropped it). */
export type LineEnd = 'tag' | 'question' | 'drop';

export interface ShiftedRunOptions {
  lostReading: LostReading;
  lineEnd: LineEnd;
  /** The annotator gives the character the decoder resynchronised on its reading (`缅X(qián)`)
   * when its reading is this (the site's annotated characters), else nothing. */
  readingAfterResync?: (char: string) => string | undefined;
  /**
   * A pair from GBK's user-defined rows (lead AA–AF or F8–FE: the trail byte of 原 D4 AD, 生 C9 FA)
   * is a private-use character: a browser prints it and many stores drop it (`dropped`, what the
   * real pages of FAULTS.md §9 show: `日常生活中` read as `日常深中`), others print `?`.
   */
  privateUse?: 'question' | 'dropped';
}

export interface ShiftedRun {
  /** What the page shows from the lost character on. */
  garbled: string;
  /** How many pieces of `rest` the run covers; the rest of the line is read in step. */
  covered: number;
  /** How the decoder fell back into step. */
  ending: 'resync' | 'ascii' | 'line-end';
  /** A pair inside the run was no GBK character: its bytes are gone, the run cannot be read back. */
  undecodable: boolean;
}

/**
 * What a GBK decoder that restarted on P's trail byte makes of the text after P (FAULTS.md §2, §9),
 * byte by byte, the way real pages show it. `rest` is the rest of the line as served: characters,
 * and ASCII (a space left by a deleted word). Undefined when P or a character has no two-byte GBK
 * form, or when the decoder is back in step at once (P's trail byte is ASCII: there is no run).
 *
 * - Each pair read straddles two real characters (trail of one, lead of the next); the first was
 *   lost to `?`, with or without its reading; full-width characters are folded to ASCII.
 * - A real trail byte in 0x40–0x7E is no lead byte: the decoder prints it as ASCII and is in step
 *   after it (`resync`), and the annotator may give the real character its reading there.
 * - An ASCII byte below 0x40 cannot follow a lead byte: the decoder prints `?` and reads the ASCII
 *   in step (`ascii`). A real ASCII letter pairs with the trail byte before it and is swallowed.
 * - At the line's end the lone last byte is `?/p>`, `?` or nothing (`line-end`).
 */
export function shiftedRun(
  p: string,
  rest: readonly string[],
  options: ShiftedRunOptions,
): ShiftedRun | undefined {
  const pBytes = gbkBytes(p);
  if (!pBytes || rest.length === 0) return undefined;
  const stream: number[] = [pBytes[1]];
  const pieceStart: number[] = [];
  for (const piece of rest) {
    pieceStart.push(stream.length);
    const code = piece.codePointAt(0) ?? 0;
    if (piece.length === 1 && code < 0x80) {
      stream.push(code);
      continue;
    }
    const bytes = gbkBytes(piece);
    if (!bytes) return undefined;
    stream.push(...bytes);
  }
  const inStepAt = new Map(pieceStart.map((byte, k) => [byte, k]));
  let out = '';
  let undecodable = false;
  let first = true;
  let b = 0;
  let lastTrailOf = -1;
  for (;;) {
    const resumed = b > 0 ? inStepAt.get(b) : undefined;
    if (resumed !== undefined) {
      if (first) return undefined;
      let ending: ShiftedRun['ending'] = 'ascii';
      if (lastTrailOf === resumed - 1) {
        ending = 'resync';
        const reading = options.readingAfterResync?.(rest[resumed - 1] as string);
        if (reading) out += `(${reading})`;
      }
      return { garbled: out, covered: resumed, ending, undecodable };
    }
    if (b >= stream.length) {
      if (first) return undefined;
      return { garbled: out, covered: rest.length, ending: 'line-end', undecodable };
    }
    const x = stream[b] as number;
    if (x === 0x80) {
      // cp936 and WHATWG decoders print a lone 0x80 as `€` (the trail byte of 還 DF 80, 與 C5 80):
      // the decoder is in step after it, as after a letter.
      if (first) return undefined;
      out += '€';
      lastTrailOf = pieceOfByte(pieceStart, b);
      b += 1;
      continue;
    }
    if (x < 0x80) {
      if (first) return undefined;
      out += String.fromCharCode(x);
      lastTrailOf = pieceOfByte(pieceStart, b);
      b += 1;
      continue;
    }
    if (b + 1 >= stream.length) {
      if (first) return undefined;
      out += options.lineEnd === 'tag' ? '?/p>' : options.lineEnd === 'question' ? '?' : '';
      return { garbled: out, covered: rest.length, ending: 'line-end', undecodable };
    }
    const y = stream[b + 1] as number;
    if (y < 0x40) {
      // Not a trail byte: the lone lead is an error, the ASCII is read again in step.
      if (first) return undefined;
      out += '?';
      b += 1;
      continue;
    }
    const ch = gbkChar(x, y);
    if (first) {
      if (!ch) return undefined;
      const reading = options.lostReading === 'none' ? undefined : readingOfLost(ch);
      if (options.lostReading !== 'none' && !reading) return undefined;
      out += options.lostReading === 'seed' ? `?${reading})` : reading ? `?(${reading})` : '?';
      first = false;
    } else if (!ch && y < 0x80) {
      // An ASCII letter that makes no character with the byte before it is read again in step.
      out += '?';
      b += 1;
      continue;
    } else if (!ch) {
      const userDefined = (x >= 0xaa && x <= 0xaf) || x >= 0xf8;
      out += userDefined && options.privateUse === 'dropped' ? '' : '?';
      undecodable = true;
    } else {
      const folded = foldWidth(ch);
      // A folded `？` reads like the decoder's own `?`: such a page cannot be told apart, not produced.
      if (folded === '?') return undefined;
      out += folded;
    }
    b += 2;
  }
}

/** The piece of the line a stream byte belongs to. */
function pieceOfByte(pieceStart: readonly number[], byte: number): number {
  let k = pieceStart.length - 1;
  while (k > 0 && (pieceStart[k] as number) > byte) k--;
  return k;
}

/** The seeds' shape, for tests: the run of a whole paragraph tail (`?shù)玫匠浞直U稀?/p>`). */
export function garbleTail(
  p: string,
  rest: string[],
  lostReading: LostReading,
  lineEnd: LineEnd,
): string | undefined {
  return shiftedRun(p, rest, { lostReading, lineEnd })?.garbled;
}

// ---------------------------------------------------------------------------------------------
// Rendering

function renderCells(line: Line, pinyinAs: 'text' | 'ruby', asciiPunctuation: boolean): string {
  let out = '';
  const cells = line.cells;
  const runs = line.runs ?? [];
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i] as Cell;
    if (cell.inRun) {
      const run = runs.find((r) => r.after < i && i < r.until);
      if (run && i === run.after + 1) out += run.garbled;
      continue;
    }
    if (cell.residue) out += cell.residue;
    if (cell.deleted) {
      if (cell.gapSpace) out += ' ';
      continue;
    }
    let ch = cell.shown;
    if (asciiPunctuation) ch = ASCII_PUNCTUATION[ch] ?? ch;
    if (cell.annotated) {
      const reading = `${cell.reading}${cell.annotated.spaceInside ? ' ' : ''}`;
      out +=
        pinyinAs === 'ruby'
          ? `<ruby>${ch}<rp>(</rp><rt>${reading}</rt><rp>)</rp></ruby>`
          : `${ch}(${reading})`;
    } else out += ch;
  }
  return out;
}

const ASCII_PUNCTUATION: Record<string, string> = { '，': ',', '：': ':', '；': ';', '？': '?', '！': '!' };

function renderLine(line: Line, pinyinAs: 'text' | 'ruby'): string {
  return line.misdecoded ?? renderCells(line, pinyinAs, line.asciiPunctuation === true);
}

// ---------------------------------------------------------------------------------------------
// The injector

const SITE_NAMES = ['逾期帮', '借贷问答网', '理财知识网', '信用之家'];

/** Records one fault placed on the page (`paragraph` -1: outside the body). */
type Note = (
  kind: FaultKind,
  paragraph: number,
  before: string,
  after: string,
  detail?: { unrecoverable?: boolean },
) => void;

/** What the steps of one injection share. */
interface Injection {
  article: Article;
  script: PageScript;
  faults: Set<FaultKind>;
  note: Note;
  applied: Set<FaultKind>;
}

/** The page's lines before any fault: what it shows, in the text dump's order. */
interface PageLines {
  title: Line;
  category: Line;
  body: Line[];
  /** Disclaimer, takedown line and navigation words. */
  extra: Line[];
  titleRepeat: Line | undefined;
  /** Where in the body the title is repeated. */
  repeatAt: number;
  spam: Line[];
  /** Every line the page shows. */
  all: Line[];
}

/**
 * The lines. The text dump's order is the page's: title, byline, spam, body with the title
 * repeated after the lead, disclaimer, takedown line, navigation words.
 */
function pageLines(
  { article, script, faults }: Injection,
  bpRng: Rng,
  boilerplate: boolean,
  showsTitle: boolean,
): PageLines {
  const lineOf = (role: LineRole, paragraph: number, text: string) =>
    makeLine(role, paragraph, text, script, faults.has('pinyin'));
  const title = lineOf('title', -1, article.title);
  const category = lineOf('byline', -1, article.category);
  const body = article.paragraphs.map((p, i) => lineOf('body', i, p));
  const extra: Line[] = [];
  let titleRepeat: Line | undefined;
  let repeatAt = 0;
  if (boilerplate) {
    titleRepeat = lineOf('title-repeat', -1, article.title);
    repeatAt = Math.min(body.length, article.kinds[0] === 'lead-heading' ? 2 : 1);
    if (bpRng.chance(0.3)) repeatAt = 0;
    extra.push(lineOf('disclaimer', -1, bpRng.pick(DISCLAIMERS)));
    extra.push(lineOf('takedown', -1, takedownLine(bpRng)));
    for (const word of NAV_WORDS) if (bpRng.chance(0.8)) extra.push(lineOf('nav', -1, word));
  }
  const spam = boilerplate && bpRng.chance(0.25) ? [lineOf('spam', -1, bpRng.pick(SPAM))] : [];
  // Only what the page shows: a bare body dump has no title line and no byline.
  const all = [
    ...(showsTitle ? [title] : []),
    ...(boilerplate ? [category] : []),
    ...spam,
    ...body,
    ...(titleRepeat ? [titleRepeat] : []),
    ...extra,
  ];
  return { title, category, body, extra, titleRepeat, repeatAt, spam, all };
}

/** Half-converted script (§5): the site's converter went character by character. */
function halfConvert({ note }: Injection, lines: Line[], script: Exclude<PageScript, 'hans'>): void {
  const table = naiveTable(script);
  for (const line of lines) {
    for (const cell of line.cells) {
      cell.shown = table.get(cell.clean) ?? cell.clean;
      if (cell.shown !== cell.truth) note('half-converted', line.paragraph, cell.truth, cell.shown);
    }
  }
}

/**
 * Deleted words (§3): the same words on every page of the site, in the title and the body.
 * Returns the words taken out (none when no line could lose them).
 */
function deleteWords({ note, applied }: Injection, textLines: Line[], delRng: Rng): string[] {
  const deletedWords: string[] = [];
  const present = FILTERED_WORDS.filter((spec) => textLines.some((l) => occurrences(l, spec).length > 0));
  const chosen = delRng.shuffle(present).slice(0, delRng.int(2, 5));
  const leavesSpace = new Map(
    chosen.map((spec) => [spec, spec.space === 'sometimes' ? delRng.chance(0.6) : spec.space] as const),
  );
  for (const spec of chosen) deletedWords.push(spec.word);
  for (const line of textLines) {
    const ranges = chosen.flatMap((spec) => occurrences(line, spec).map((r) => [...r, spec] as const));
    // A line the filter would empty is left alone: the page would lose the paragraph, not a word.
    const kept = line.cells.filter((c, i) => HAN.test(c.clean) && !ranges.some(([s, e]) => i >= s && i < e));
    if (kept.length < 2) continue;
    for (const [start, end] of ranges)
      for (let i = start; i < end; i++) (line.cells[i] as Cell).deleted = true;
    for (const [start, end, spec] of ranges) {
      const removed = line.cells
        .slice(start, end)
        .map((c) => c.shown)
        .join('');
      // A space is left only between Chinese on both sides: next to Latin or digits (`APP 申请`)
      // a space is legitimate, so no reader could tell it from the page's own.
      let before = start - 1;
      while (before >= 0 && line.cells[before]?.deleted) before--;
      let after = end;
      while (after < line.cells.length && line.cells[after]?.deleted) after++;
      const left = line.cells[before];
      const right = line.cells[after];
      const runStart = before + 1;
      const space =
        leavesSpace.get(spec) === true &&
        left !== undefined &&
        right !== undefined &&
        CJK.test(left.clean) &&
        CJK.test(right.clean) &&
        !line.cells.slice(runStart, after).some((c) => c.gapSpace);
      if (space) (line.cells[runStart] as Cell).gapSpace = true;
      note('deleted-words', line.paragraph, removed, space ? ' ' : '');
    }
  }
  if (!applied.has('deleted-words')) deletedWords.length = 0;
  return deletedWords;
}

/**
 * Shifted GBK runs (§2, §8, §9): one to three per page, a decoder reading one byte off from some
 * character on until it falls back into step by itself (or the paragraph ends).
 */
function placeGbkRuns({ article, script, faults, note }: Injection, body: Line[], runRng: Rng): void {
  const annotates = faults.has('pinyin');
  const candidates = runRng.shuffle(body.filter((l) => article.kinds[l.paragraph] === 'paragraph'));
  let wanted = runRng.int(1, 3);
  for (const line of candidates) {
    if (wanted === 0) break;
    for (let inLine = runRng.chance(0.25) ? 2 : 1; inLine > 0 && wanted > 0; inLine--) {
      // Annotated (Traditional) pages mostly show the lost character's reading, Simplified ones a bare `?`.
      const lostReading: LostReading = runRng.chance(script === 'hans' ? 0.3 : 0.8)
        ? runRng.chance(0.7)
          ? 'seed'
          : 'bracketed'
        : 'none';
      const placed = placeRun(line, runRng, faults.has('ascii-punctuation'), {
        lostReading,
        lineEnd: runRng.pick(['tag', 'question', 'drop'] as const),
        privateUse: runRng.chance(0.5) ? 'dropped' : 'question',
        readingAfterResync: (ch) => (annotates && runRng.chance(0.6) ? readingOfLost(ch) : undefined),
      });
      if (!placed) break;
      wanted--;
      const { run, damaged } = placed;
      line.runs = [...(line.runs ?? []), run].sort((a, b) => a.after - b.after);
      for (let i = run.after + 1; i < run.until; i++) (line.cells[i] as Cell).inRun = true;
      const beforeText = line.cells
        .slice(run.after, run.until)
        .filter((c) => !c.deleted)
        .map((c) => c.truth)
        .join('');
      note('gbk-tail', line.paragraph, beforeText, (line.cells[run.after] as Cell).shown + run.garbled, {
        unrecoverable: damaged,
      });
    }
  }
}

/**
 * Pinyin leaks (§1). Like the seeds, the site annotates a fixed set of characters (mostly the ones
 * its converter changed) wherever they occur, each with its reading in context.
 */
function annotatePinyin({ script, note }: Injection, lines: Line[], pinyinRng: Rng): void {
  const rate = 0.25 + pinyinRng.next() * 0.35;
  const spaceRate = pinyinRng.chance(0.4) ? 0.3 : 0;
  // Per character, so that the title and its repeat in the body read the same.
  const chosen = new Map<string, { spaceInside: boolean } | null>();
  for (const line of lines) {
    for (const cell of line.cells) {
      if (cell.inRun || cell.deleted || !cell.reading || !HAN.test(cell.shown)) continue;
      let annotation = chosen.get(cell.shown);
      if (annotation === undefined) {
        const converted = cell.shown !== cell.clean;
        const p = script === 'hans' ? rate / 2 : converted ? rate : rate / 6;
        annotation = pinyinRng.chance(p) ? { spaceInside: pinyinRng.chance(spaceRate) } : null;
        chosen.set(cell.shown, annotation);
      }
      if (!annotation) continue;
      cell.annotated = annotation;
      note(
        'pinyin',
        line.paragraph,
        cell.truth,
        `${cell.shown}(${cell.reading}${cell.annotated.spaceInside ? ' ' : ''})`,
      );
    }
  }
}

/** ASCII punctuation (§4): the text went through a width fold before it was served. */
function foldPunctuation({ note }: Injection, lines: Line[]): void {
  for (const line of lines) {
    let changed = false;
    for (const cell of line.cells)
      if (!cell.inRun && !cell.deleted && ASCII_PUNCTUATION[cell.shown]) {
        changed = true;
        note('ascii-punctuation', line.paragraph, cell.shown, ASCII_PUNCTUATION[cell.shown] as string);
      }
    line.asciiPunctuation = changed;
  }
}

/**
 * Control-code residue (§8), part of the boilerplate fault: inside a few body lines, or alone.
 * Returns the lines of residue alone.
 */
function placeResidue({ note }: Injection, body: Line[], bpRng: Rng): Line[] {
  const residueLines: Line[] = [];
  for (const line of bpRng.shuffle(body).slice(0, bpRng.int(1, 3))) {
    const free = line.cells.flatMap((c, i) => (c.inRun ? [] : [i]));
    const at = bpRng.pick(free);
    (line.cells[at] as Cell).residue = RESIDUE;
    note('boilerplate', line.paragraph, '', RESIDUE);
  }
  if (bpRng.chance(0.3)) residueLines.push({ role: 'residue', paragraph: -1, cells: [] });
  return residueLines;
}

/** Mis-decoded text (§7): some lines reached the site as UTF-8 read as GBK. */
function misdecode({ note }: Injection, body: Line[], charsetRng: Rng): void {
  const lines = charsetRng.chance(0.4) ? body : charsetRng.shuffle(body).slice(0, charsetRng.int(1, 3));
  for (const line of lines) {
    if (line.runs?.length) continue;
    const rendered = renderCells(line, 'text', line.asciiPunctuation === true);
    const bytes = Buffer.from(rendered, 'utf8');
    const mojibake = iconv.decode(bytes, 'gbk');
    // Only lines whose bytes all pair up into GBK characters: others lose bytes for good.
    if (mojibake === rendered || !iconv.encode(mojibake, 'gbk').equals(bytes)) continue;
    line.misdecoded = mojibake;
    note('charset', line.paragraph, rendered, mojibake);
  }
}

/** The page as a text dump: optional site chrome, title and byline, body, boilerplate, residue. */
function renderDump(
  { article, script, note }: Injection,
  lines: PageLines,
  parts: { bodyWithRepeat: Line[]; residueLines: Line[]; timeText: string; boilerplate: boolean },
  options: InjectOptions,
  bpRng: Rng,
  blankLines: boolean,
): string {
  const { title, spam, extra } = lines;
  const { bodyWithRepeat, residueLines, timeText, boilerplate } = parts;
  const out: string[] = [];
  const chrome = boilerplate && options.layoutChrome ? siteChrome(article, script, bpRng) : undefined;
  for (const line of [...(chrome?.head ?? []), ...(chrome?.tail ?? [])]) note('boilerplate', -1, '', line);
  out.push(...(chrome?.head ?? []));
  if (boilerplate) out.push(renderLine(title, 'text'), timeText, ...spam.map((l) => renderLine(l, 'text')));
  for (const line of bodyWithRepeat) out.push(renderLine(line, 'text'));
  for (const line of [...extra, ...residueLines])
    out.push(line.role === 'residue' ? RESIDUE : renderLine(line, 'text'));
  out.push(...(chrome?.tail ?? []));
  return out.join(blankLines ? '\n\n' : '\n');
}

/** The served bytes and what they declare. */
interface EncodedPage {
  text: string;
  bytes: Uint8Array | undefined;
  charset: string | undefined;
  declaredCharset: string | undefined;
}

/**
 * Bytes (§7): the page in GBK, GB18030, Big5 or UTF-8, its declaration sometimes lying. Big5 cannot
 * hold the simplified characters a half-converted page keeps (并, 于…): such a page is not served in
 * Big5. Mis-decoded lines were written back as UTF-8.
 */
function encodePage(
  { script, note }: Injection,
  page: { text: string; format: 'html' | 'text'; misdecodedLines: boolean },
  charsetRng: Rng,
): EncodedPage {
  let { text } = page;
  const choices = page.misdecodedLines
    ? ['utf-8']
    : script === 'hans'
      ? ['gbk', 'gb18030', 'utf-8']
      : ['big5', 'gbk', 'utf-8'];
  const encodable = choices.filter((c) => encode(text, c) !== undefined);
  const charset = charsetRng.pick(encodable.length > 0 ? encodable : ['utf-8']);
  const roll = charsetRng.next();
  const lies = ['gb2312', 'gbk', 'big5', 'utf-8', 'iso-8859-1'].filter((l) => !sameCharset(l, charset));
  let declaredCharset: string | undefined;
  if (roll < 0.5) declaredCharset = charsetRng.pick(lies);
  else if (roll < 0.8) declaredCharset = charset === 'gbk' ? 'gb2312' : charset;
  if (page.format === 'html') text = text.replace('<head>', `<head>${metaTag(declaredCharset, charsetRng)}`);
  const bytes = encode(text, charset) ?? new Uint8Array(Buffer.from(text, 'utf8'));
  note('charset', -1, 'utf-8', `${charset} (declared ${declaredCharset ?? 'nothing'})`);
  return { text, bytes, charset, declaredCharset };
}

/**
 * The faulty page for `article`, and its truth. Deterministic: the same article, options and seed
 * give the same bytes.
 */
export function injectFaults(article: Article, options: InjectOptions): FaultyDocument {
  const { script } = options;
  const faults = new Set(options.faults);
  const rng = new Rng(options.seed ^ Math.imul(article.seed, 0x9e3779b1));
  const injected: InjectedFault[] = [];
  const applied = new Set<FaultKind>();
  const note: Note = (kind, paragraph, before, after, detail = {}) => {
    injected.push({
      kind,
      paragraph,
      before,
      after,
      ...(detail.unrecoverable ? { unrecoverable: true } : {}),
    });
    applied.add(kind);
  };
  const ctx: Injection = { article, script, faults, note, applied };

  const charsetRng = rng.fork('charset');
  const format = options.format ?? (faults.has('charset') && charsetRng.chance(0.5) ? 'html' : 'text');
  // Some pages of the charset fault carry lines that reached the site mis-decoded (§7).
  const misdecodedLines = faults.has('charset') && charsetRng.chance(0.35);
  const boilerplate = faults.has('boilerplate');
  const showsTitle = boilerplate || format === 'html';

  const bpRng = rng.fork('boilerplate');
  const lines = pageLines(ctx, bpRng, boilerplate, showsTitle);
  const { title, category, body, extra, titleRepeat, spam } = lines;

  if (faults.has('half-converted') && script !== 'hans') halfConvert(ctx, lines.all, script);
  const deletedWords = faults.has('deleted-words')
    ? deleteWords(
        ctx,
        [...(showsTitle ? [title] : []), ...(titleRepeat ? [titleRepeat] : []), ...body],
        rng.fork('deleted-words'),
      )
    : [];
  if (faults.has('gbk-tail')) placeGbkRuns(ctx, body, rng.fork('gbk-tail'));
  const pinyinRng = rng.fork('pinyin');
  // Mis-decoded lines carry their annotations as text, so such a page does not use ruby.
  const rubyInHtml = format === 'html' && !misdecodedLines && pinyinRng.chance(0.5);
  if (faults.has('pinyin')) annotatePinyin(ctx, lines.all, pinyinRng);
  if (faults.has('ascii-punctuation')) foldPunctuation(ctx, lines.all);
  const residueLines = boilerplate ? placeResidue(ctx, body, bpRng) : [];

  // -- Render the page.
  const pinyinAs = rubyInHtml ? 'ruby' : 'text';
  const timeText = `${renderLine(category, pinyinAs)} ${article.time}`;
  if (boilerplate) {
    note('boilerplate', -1, '', timeText);
    if (titleRepeat) note('boilerplate', -1, '', renderLine(titleRepeat, 'text'));
    for (const line of [...spam, ...extra]) note('boilerplate', -1, '', renderLine(line, 'text'));
  }
  if (misdecodedLines) misdecode(ctx, body, charsetRng);

  const blankLines = bpRng.chance(0.5);
  let text: string;
  const bodyWithRepeat: Line[] = [...body];
  if (titleRepeat) bodyWithRepeat.splice(lines.repeatAt, 0, titleRepeat);
  if (format === 'text') {
    const parts = { bodyWithRepeat, residueLines, timeText, boilerplate };
    text = renderDump(ctx, lines, parts, options, bpRng, blankLines);
  } else {
    text = renderHtml({
      article,
      title: renderLine(title, pinyinAs),
      plainTitle: title.cells.map((c) => (c.deleted ? '' : c.shown)).join(''),
      category: boilerplate ? renderLine(category, pinyinAs) : undefined,
      time: boilerplate ? article.time : undefined,
      spam: spam.map((l) => renderLine(l, pinyinAs)),
      body: bodyWithRepeat.map((l) => renderLine(l, pinyinAs)),
      extra: extra.filter((l) => l.role !== 'nav').map((l) => renderLine(l, pinyinAs)),
      nav: extra.filter((l) => l.role === 'nav').map((l) => renderLine(l, pinyinAs)),
      residue: residueLines.length > 0,
      rng: bpRng,
    });
  }

  let encoded: EncodedPage = { text, bytes: undefined, charset: undefined, declaredCharset: undefined };
  if (faults.has('charset')) encoded = encodePage(ctx, { text, format, misdecodedLines }, charsetRng);
  else if (format === 'html') encoded.text = text.replace('<head>', '<head><meta charset="utf-8">');
  const { bytes, charset, declaredCharset } = encoded;
  text = encoded.text;

  const url =
    format === 'html'
      ? `https://www.example-farm.cn/article/${article.seed}-${options.seed}.html`
      : `file:///dumps/${article.seed}-${options.seed}.txt`;
  const raw: RawDocument = { url };
  if (bytes) {
    raw.body = bytes;
    if (format === 'text' && declaredCharset) raw.contentType = `text/plain; charset=${declaredCharset}`;
  } else if (format === 'html') raw.html = text;
  else raw.text = text;

  return {
    text,
    bytes,
    format,
    charset,
    declaredCharset,
    raw,
    script,
    applied: FAULT_KINDS.filter((k) => applied.has(k)),
    truth: {
      title: showsTitle ? truthOf(title, false) : null,
      titleWithoutDeleted: showsTitle ? truthOf(title, true) : null,
      category: boilerplate ? truthOf(category, false) : null,
      published_at: boilerplate ? article.publishedAt : null,
      paragraphs: body.map((l) => truthOf(l, false)),
      paragraphsWithoutDeleted: body.map((l) => truthOf(l, true)),
      deletedWords,
    },
    injected,
  };
}

/** Share of runs that lost a byte pair in capture (§9): they cannot be read back, only listed. */
const DAMAGED_RUNS = 0.1;

/**
 * Picks where a run starts in a line (after the line's last run) and garbles from there; undefined
 * when no place works. Sometimes a byte pair of the run is lost, as real captures lose them.
 */
function placeRun(
  line: Line,
  rng: Rng,
  servesAsciiPunctuation: boolean,
  options: ShiftedRunOptions,
): { run: PlacedRun; damaged: boolean } | undefined {
  const cells = line.cells;
  const from = (line.runs?.at(-1)?.until ?? 0) + 1;
  const positions: number[] = [];
  for (let i = from; i < cells.length - 2; i++) {
    const cell = cells[i] as Cell;
    // A character served as an ASCII byte (`，` → `,`) has no trail byte for the decoder to slip on.
    if (cell.deleted || cell.inRun || (servesAsciiPunctuation && ASCII_PUNCTUATION[cell.shown])) continue;
    positions.push(i);
  }
  for (const after of rng.shuffle(positions).slice(0, 30)) {
    // The line as served after P: characters, and the space a deleted word left (an ASCII byte).
    const pieces: { cell: number; text: string }[] = [];
    for (let i = after + 1; i < cells.length; i++) {
      const cell = cells[i] as Cell;
      if (cell.deleted) {
        if (cell.gapSpace) pieces.push({ cell: i, text: ' ' });
      } else
        pieces.push({
          cell: i,
          // A page whose punctuation went through a width fold serves it as ASCII bytes (§4).
          text: servesAsciiPunctuation ? (ASCII_PUNCTUATION[cell.shown] ?? cell.shown) : cell.shown,
        });
    }
    const shifted = shiftedRun(
      (cells[after] as Cell).shown,
      pieces.map((p) => p.text),
      options,
    );
    if (!shifted) continue;
    // Long Simplified runs often meet a pair that is no GBK character (a `?` inside the run, its
    // bytes gone): keep such runs only as often as damaged ones, so that most runs can be read back.
    const damagedHere = rng.chance(DAMAGED_RUNS);
    if (shifted.undecodable && !damagedHere) continue;
    const until =
      shifted.covered < pieces.length ? (pieces[shifted.covered] as { cell: number }).cell : cells.length;
    let garbled = shifted.garbled;
    let damaged = shifted.undecodable;
    // Lose a pair from inside the run: one of its characters (not the first or last one).
    const chars = [...garbled];
    const inside = chars.flatMap((c, k) => (k > 0 && (c.codePointAt(0) as number) >= 0x80 ? [k] : []));
    if (damagedHere && !damaged && inside.length >= 4) {
      chars.splice(rng.pick(inside.slice(1, -1)), 1);
      garbled = chars.join('');
      damaged = true;
    }
    return { run: { after, until, garbled }, damaged };
  }
  return undefined;
}

function sameCharset(label: string, charset: string): boolean {
  const family = (l: string) => (/^(gb2312|gbk|gb18030)$/.test(l) ? 'gb' : l);
  return family(label) === family(charset);
}

function metaTag(declared: string | undefined, rng: Rng): string {
  if (!declared) return '';
  return rng.chance(0.5)
    ? `<meta charset="${declared}">`
    : `<meta http-equiv="Content-Type" content="text/html; charset=${declared}">`;
}

/** The text in `charset`, or undefined when the charset cannot hold all of it. */
function encode(text: string, charset: string): Uint8Array | undefined {
  const bytes = iconv.encode(text, charset);
  return iconv.decode(bytes, charset) === text ? new Uint8Array(bytes) : undefined;
}

interface HtmlParts {
  article: Article;
  title: string;
  plainTitle: string;
  category: string | undefined;
  time: string | undefined;
  spam: string[];
  body: string[];
  extra: string[];
  nav: string[];
  residue: boolean;
  rng: Rng;
}

/**
 * The page as such a site serves it: breadcrumb (category), `<h1>` title, byline, article body,
 * related links, footer. The body's `<p>` of a garbled tail has lost its `</p>`'s `<` (`?/p>`).
 */
function renderHtml(parts: HtmlParts): string {
  const { rng } = parts;
  const site = rng.pick(SITE_NAMES);
  const p = (text: string) => (text.endsWith('?/p>') ? `<p>${text}` : `<p>${text}</p>`);
  const out: string[] = [
    '<!DOCTYPE html>',
    '<html><head>',
    `<title>${parts.plainTitle}_${site}</title>`,
    '</head><body>',
    `<div class="header"><a href="/">${site}</a></div>`,
  ];
  if (parts.category !== undefined)
    out.push(
      `<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/list/">${parts.category}</a> &gt; 正文</div>`,
    );
  out.push('<div class="article">', `<h1>${parts.title}</h1>`);
  if (parts.time !== undefined) out.push(`<div class="info">${parts.category ?? ''} ${parts.time}</div>`);
  out.push('<div class="content">');
  for (const line of [...parts.spam, ...parts.body, ...parts.extra]) out.push(p(line));
  if (parts.residue) out.push(p(RESIDUE));
  out.push('</div>', '</div>');
  if (parts.nav.length > 0) {
    const links = [1, 2, 3].map((k) => {
      const other = generateArticle(parts.article.seed * 7 + k);
      return `<li><a href="/article/${other.seed}.html">${other.title}</a></li>`;
    });
    out.push(`<div class="related"><h3>${parts.nav[1] ?? parts.nav[0]}</h3><ul>${links.join('')}</ul></div>`);
    out.push(`<div class="footer"><a href="/tousu">${parts.nav[0]}</a></div>`);
  }
  out.push('</body></html>');
  return out.join('\n');
}
