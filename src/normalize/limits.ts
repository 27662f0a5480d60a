/**
 * What one page may cost the normalizer, and what happens past each limit (README, "Limits").
 *
 * Every stage is linear in what it is given, or bounded per paragraph; these limits bound what it
 * is given. Past a limit nothing is lost without a trace: text is kept (split, or left as it came),
 * and the record carries a flag saying which limit it met.
 */
import type { Repair } from './types.js';

export const LIMITS = {
  /**
   * Elements nested deeper than this are lifted to this depth before the page is parsed (their
   * text stays where it was in reading order). Browsers do the same (Blink at 512).
   */
  htmlDepth: 256,
  /** Inline formatting elements (`<b>`, `<font>`, `<a>`…) left open at once; more are left out. */
  htmlFormatting: 32,
  /** Elements read with layout analysis (chrome, title, byline); a larger page is read as text. */
  htmlElements: 100_000,
  /** Characters of a page read with layout analysis (the crawl's default body limit); likewise. */
  htmlChars: 5_000_000,
  /** Characters of one paragraph; a longer one is split at sentence ends into pieces of at most this. */
  paragraphChars: 5_000,
  /** Paragraphs repaired per page; the ones after are kept as they came. */
  repairedParagraphs: 5_000,
  /** Characters repaired per page; the paragraphs after are kept as they came. */
  repairedChars: 100_000,
  /**
   * Characters of a page read again as a whole when it was decoded with the wrong charset; a longer
   * page is only read line by line (within the repair budget).
   */
  wholePageChars: 4_000_000,
  /** Repairs listed per record; past it, those of one kind in one paragraph are summarised. */
  repairs: 1_000,
} as const;

/** Flags (the record's `flags`) a page gets when it meets a limit. */
export const LIMIT_FLAGS = {
  /** Elements nested deeper than `htmlDepth` were lifted; their text is kept. */
  htmlFlattened: 'html-flattened',
  /** Over `htmlElements` elements or `htmlChars` characters (or markup the extractor could not read): read as text only. */
  htmlTextOnly: 'html-text-only',
  /** A paragraph over `paragraphChars` was split. */
  paragraphSplit: 'paragraph-split',
  /**
   * Past `repairedParagraphs` or `repairedChars`, paragraphs were kept as they came, unrepaired (or
   * past `wholePageChars`, the page was not read again as a whole).
   */
  notRepaired: 'not-repaired',
  /** Past `repairs`, repairs of one kind in one paragraph were summarised. */
  repairsSummarised: 'repairs-summarised',
} as const;

/** Sentence ends, then clause ends and spaces: where a long paragraph is split, best first. */
const SPLIT_AT = [/[。！？!?…；;]/u, /[，、,：:\s]/u];

/**
 * `text` in pieces of at most `max` UTF-16 units, each cut after the last sentence end (else
 * clause end or space) in its last quarter, else at `max` (never inside a surrogate pair).
 * Nothing is added or removed: the pieces join back into `text`.
 */
export function splitLongParagraph(text: string, max: number = LIMITS.paragraphChars): string[] {
  if (text.length <= max) return [text];
  const pieces: string[] = [];
  let at = 0;
  while (text.length - at > max) {
    const window = text.slice(at + Math.floor((max * 3) / 4), at + max);
    let cut = -1;
    for (const pattern of SPLIT_AT) {
      cut = lastMatchEnd(window, pattern);
      if (cut > 0) break;
    }
    let end = cut > 0 ? at + Math.floor((max * 3) / 4) + cut : at + max;
    const code = text.charCodeAt(end - 1);
    if (code >= 0xd800 && code <= 0xdbff) end--; // a high surrogate stays with its pair
    pieces.push(text.slice(at, end));
    at = end;
  }
  pieces.push(text.slice(at));
  return pieces;
}

/** The index just after the last match of a one-character pattern in `text`, or -1. */
function lastMatchEnd(text: string, pattern: RegExp): number {
  for (let i = text.length - 1; i >= 0; i--) if (pattern.test(text[i] as string)) return i + 1;
  return -1;
}

/** Splits each over-long paragraph; `split` says whether any was. */
export function splitLongParagraphs(
  paragraphs: readonly string[],
  max: number = LIMITS.paragraphChars,
): { paragraphs: string[]; split: boolean } {
  if (paragraphs.every((p) => p.length <= max)) return { paragraphs: [...paragraphs], split: false };
  const out: string[] = [];
  for (const p of paragraphs) for (const piece of splitLongParagraph(p, max)) out.push(piece);
  return { paragraphs: out, split: true };
}

/**
 * The page's repair budget: `take` says whether a paragraph of `chars` characters is still repaired
 * (it counts it if so). Once one is refused, every later one is: the page is repaired up to a
 * point and kept as it came after it.
 */
export class RepairBudget {
  private paragraphs = 0;
  private chars = 0;
  exhausted = false;

  constructor(
    private readonly maxParagraphs: number = LIMITS.repairedParagraphs,
    private readonly maxChars: number = LIMITS.repairedChars,
  ) {}

  take(chars: number): boolean {
    if (this.exhausted) return false;
    if (this.paragraphs + 1 > this.maxParagraphs || (this.chars > 0 && this.chars + chars > this.maxChars)) {
      this.exhausted = true;
      return false;
    }
    this.paragraphs++;
    this.chars += chars;
    return true;
  }
}

/**
 * A summary entry stands for `n` repairs of one kind: its `before` and `after` are the first of
 * them (cut to `SUMMARY_SAMPLE` characters), each after the prefix `[n repairs] `, or
 * `[n repairs in paragraphs a–b] ` when it stands for several paragraphs (then `paragraph` is `a`).
 * `[130000 repairs] ,` → `[130000 repairs] ，`: 130,000 commas made full width in one paragraph.
 */
const SUMMARY = /^\[(\d+) repairs(?: in paragraphs -?\d+–-?\d+)?\] /;
const SUMMARY_SAMPLE = 40;

/** How many repairs an entry stands for: `n` for a summary, else 1. */
export function repairCount(repair: Pick<Repair, 'before' | 'after'>): number {
  const before = SUMMARY.exec(repair.before);
  const after = SUMMARY.exec(repair.after);
  return before && after && before[0] === after[0] ? Number(before[1]) : 1;
}

/** The paragraphs a summary entry stands for (its own paragraph for any other repair). */
function paragraphSpan(repair: Repair): [number, number] {
  const range = /^\[\d+ repairs in paragraphs (-?\d+)–(-?\d+)\] /.exec(repair.before);
  return range && repairCount(repair) > 1
    ? [Number(range[1]), Number(range[2])]
    : [repair.paragraph, repair.paragraph];
}

function sample(text: string): string {
  const body = text.replace(SUMMARY, '');
  if (body.length <= SUMMARY_SAMPLE) return body;
  let end = SUMMARY_SAMPLE;
  const code = body.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${body.slice(0, end)}…`;
}

/** One entry for a group of repairs of one kind (one paragraph, or several). */
function summarise(group: readonly Repair[]): Repair {
  const first = group[0] as Repair;
  let n = 0;
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  let confidence = first.confidence;
  for (const r of group) {
    n += repairCount(r);
    const [a, b] = paragraphSpan(r);
    from = Math.min(from, a);
    to = Math.max(to, b);
    if (r.confidence < confidence) confidence = r.confidence;
  }
  const prefix = from === to ? `[${n} repairs] ` : `[${n} repairs in paragraphs ${from}–${to}] `;
  return {
    kind: first.kind,
    paragraph: from,
    before: `${prefix}${sample(first.before)}`,
    after: `${prefix}${sample(first.after)}`,
    confidence,
  };
}

/**
 * At most `max` repairs (`max` ≥ the number of repair kinds). Past it, the largest groups of one
 * kind in one paragraph first become one summary entry each (in the place of the group's first
 * repair), until the list fits. If one entry per paragraph and kind is still too many, the entries
 * past the first `max - kinds` become one summary per kind, over the paragraphs they come from.
 * Lists that fit are returned as they are.
 */
export function limitRepairs(
  repairs: readonly Repair[],
  max: number = LIMITS.repairs,
): { repairs: Repair[]; summarised: boolean } {
  if (repairs.length <= max) return { repairs: [...repairs], summarised: false };
  const groups = new Map<string, Repair[]>();
  for (const repair of repairs) {
    const key = `${repair.paragraph}\u0000${repair.kind}`;
    const group = groups.get(key);
    if (group) group.push(repair);
    else groups.set(key, [repair]);
  }
  const collapse = new Set<string>();
  let total = repairs.length;
  const bySize = [...groups].sort((a, b) => b[1].length - a[1].length);
  for (const [key, group] of bySize) {
    if (total <= max || group.length < 2) break;
    collapse.add(key);
    total -= group.length - 1;
  }
  const out: Repair[] = [];
  const placed = new Set<string>();
  for (const repair of repairs) {
    const key = `${repair.paragraph}\u0000${repair.kind}`;
    if (!collapse.has(key)) out.push(repair);
    else if (!placed.has(key)) {
      placed.add(key);
      out.push(summarise(groups.get(key) as Repair[]));
    }
  }
  if (out.length <= max) return { repairs: out, summarised: out.length < repairs.length };
  // Still too many: one entry per kind for everything past the first entries.
  const keep = Math.max(0, max - new Set(out.map((r) => r.kind)).size);
  const rest = new Map<string, Repair[]>();
  for (const repair of out.slice(keep)) {
    const group = rest.get(repair.kind);
    if (group) group.push(repair);
    else rest.set(repair.kind, [repair]);
  }
  const merged = out.slice(0, keep);
  for (const group of rest.values())
    merged.push(group.length === 1 ? (group[0] as Repair) : summarise(group));
  return { repairs: merged, summarised: true };
}
