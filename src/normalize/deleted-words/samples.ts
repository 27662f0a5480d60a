/**
 * What the learning cycle (`cycle.ts`) keeps: samples of each source's pages, and each source's
 * learned profile, behind two small store interfaces. The in-memory stores here serve a batch
 * (`finfaq normalize`, the tests); `src/queue/profiles.ts` keeps the same in Redis and the store.
 *
 * A source's sample is chosen by a hash of each page's id (the `SAMPLE_SIZE` pages that rank
 * lowest), not by arrival: the same pages make the same sample in any order, and pages of other
 * sources never push a source's own pages out.
 *
 * Other sources' pages are evidence about a source only where they share text with it: a page
 * that shares a passage with one of the source's samples (an anchor: `passageAnchors`; any
 * `SHARED_TEXT` characters in a row do) is *related* (a copy of an article, a site writing from the
 * same template); every other page is not, and nothing learned or restored for the source depends
 * on it.
 */
import type { DraftDocument } from '../draft.js';
import type { Script } from '../types.js';
import type { DeletionProfile } from './profile.js';

/** Pages kept per source (the learner reads at most ~150,000 characters of a source anyway). */
export const SAMPLE_SIZE = 150;
/** Characters of related pages of other sources read for a source, at most. */
export const RELATED_CHARS = 400_000;

/** A sampled page: its draft, and the script it was published in (for re-finalizing it). */
export interface Sample extends DraftDocument {
  to?: Script;
}

/** What the profile store keeps per source. */
export interface StoredProfile {
  profile: DeletionProfile;
  /** Pages of the source seen when it was learned. */
  pages: number;
  /**
   * Lines that stand on most of the source's sampled pages: the site's template, dropped from its
   * pages (`layout/templates.ts`), bare. Absent in profiles stored before it was learned.
   */
  template?: string[];
}

export interface SampleStore {
  /** Keeps the page as a sample of its source if it ranks among them; resolves to the source's pages seen. */
  keep(sample: Sample): Promise<number>;
  /** The source's samples, in rank order. */
  samples(source: string): Promise<Sample[]>;
  /** Every source with samples. */
  sources(): Promise<string[]>;
  /** Other sources' samples that hold one of `anchors` (see `passageAnchors`), in any order. */
  holding(source: string, anchors: ReadonlySet<number>): Promise<Sample[]>;
}

export interface ProfileStore {
  get(source: string): Promise<StoredProfile | undefined>;
  /**
   * Saves a learned profile unless the store has one learned from more pages. `changed`: the saved
   * profile is this one and its words differ from those of the profile it replaced.
   */
  save(source: string, learned: StoredProfile): Promise<{ saved: StoredProfile; changed: boolean }>;
}

/** FNV-1a over UTF-16 units, 32 bits. */
function fnv1a(text: string, from = 0, to = text.length): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Where a page ranks in its source's sample (lower first). */
export function sampleRank(id: string): number {
  return fnv1a(id);
}

/** Rank order: by the hash, then by id. */
export function byRank(a: { id: string }, b: { id: string }): number {
  return rankOf(a) - rankOf(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** `sampleRank` of pages already ranked: a source's sample is ranked against every page it sees. */
const ranks = new WeakMap<{ id: string }, { id: string; rank: number }>();

function rankOf(page: { id: string }): number {
  const known = ranks.get(page);
  if (known && known.id === page.id) return known.rank;
  const rank = sampleRank(page.id);
  ranks.set(page, { id: page.id, rank });
  return rank;
}

/** Characters in a hashed passage (a k-gram of winnowing). */
export const PASSAGE = 12;
/** Passages per winnowing window: text shared over `PASSAGE + WINDOW - 1` characters always shares an anchor. */
const WINDOW = 8;
/** Shared text this long makes two pages related, whatever it is. */
export const SHARED_TEXT = PASSAGE + WINDOW - 1;

/**
 * A page's anchors, by winnowing (Schleimer, Wilkerson and Aiken 2003, as MOSS does): of every
 * `WINDOW` consecutive passages of `PASSAGE` characters, the one with the least hash. Two pages
 * that share `SHARED_TEXT` characters share an anchor, because they share a whole window; about
 * one passage in four is an anchor. Passages less than two thirds Han (numbers, Latin) are none.
 */
export function passageAnchors(paragraphs: readonly string[]): Set<number> {
  let anchors = anchorsMemo.get(paragraphs);
  if (!anchors) {
    anchors = computeAnchors(paragraphs);
    anchorsMemo.set(paragraphs, anchors);
  }
  return anchors;
}

/** A page's anchors, by its paragraphs (a batch asks for them once per source it is related to). */
const anchorsMemo = new WeakMap<readonly string[], Set<number>>();

/** CJK Unified Ideographs and Extension A, or a surrogate (the other extensions): Han enough here. */
function isHan(code: number): boolean {
  return (
    (code >= 0x4e00 && code <= 0x9fff) ||
    (code >= 0x3400 && code <= 0x4dbf) ||
    (code >= 0xd840 && code <= 0xdbff) ||
    (code >= 0xdc00 && code <= 0xdfff)
  );
}

function computeAnchors(paragraphs: readonly string[]): Set<number> {
  const anchors = new Set<number>();
  const NONE = Number.POSITIVE_INFINITY;
  for (const text of paragraphs) {
    if (text.length < PASSAGE) continue;
    const hashes: number[] = [];
    let han = 0;
    for (let i = 0; i < PASSAGE; i++) if (isHan(text.charCodeAt(i))) han++;
    for (let start = 0; start + PASSAGE <= text.length; start++) {
      if (start > 0) {
        if (isHan(text.charCodeAt(start - 1))) han--;
        if (isHan(text.charCodeAt(start + PASSAGE - 1))) han++;
      }
      hashes.push(3 * han < 2 * PASSAGE ? NONE : fnv1a(text, start, start + PASSAGE));
    }
    // A paragraph shorter than a window is one window.
    const windows = Math.max(1, hashes.length - WINDOW + 1);
    for (let w = 0; w < windows; w++) {
      let least = NONE;
      for (let i = w; i < Math.min(hashes.length, w + WINDOW); i++)
        if ((hashes[i] as number) <= least) least = hashes[i] as number;
      if (least !== NONE) anchors.add(least);
    }
  }
  return anchors;
}

/** Characters of a page's paragraphs. */
export function pageChars(page: { paragraphs: readonly string[] }): number {
  return page.paragraphs.reduce((n, p) => n + p.length, 0);
}

/**
 * The pages of other sources related to a source (sharing one of its `anchors`), from
 * `candidates`: the most related first (the most anchors shared: a copy of one of its pages before
 * a site that shares a template sentence), then in rank order, up to `relatedChars(ownChars)`
 * characters. Depends on the candidates only through those related.
 */
export function relatedPages<T extends DraftDocument>(
  source: string,
  anchors: ReadonlySet<number>,
  candidates: readonly T[],
  ownChars: number,
): T[] {
  const shared = new Map<T, number>();
  for (const page of candidates) {
    if (page.source === source || shared.has(page)) continue;
    let n = 0;
    for (const anchor of passageAnchors(page.paragraphs)) if (anchors.has(anchor)) n++;
    if (n > 0) shared.set(page, n);
  }
  const ordered = [...shared.keys()].sort(
    (a, b) => (shared.get(b) as number) - (shared.get(a) as number) || byRank(a, b),
  );
  const seen = new Set<string>();
  const out: T[] = [];
  let chars = 0;
  const limit = relatedChars(ownChars);
  for (const page of ordered) {
    // One page sampled under two sources is read once.
    if (seen.has(page.id)) continue;
    seen.add(page.id);
    chars += pageChars(page);
    if (chars > limit) break;
    out.push(page);
  }
  return out;
}

/** Related text a source reads, for `ownChars` of its own: 20 times as much, at least 60,000, at most `RELATED_CHARS`. */
export function relatedChars(ownChars: number): number {
  return Math.min(RELATED_CHARS, Math.max(60_000, 20 * ownChars));
}

/** What a batch keeps of a draft for learning: its text and gaps, not its repairs. */
function learningSample(sample: Sample): Sample {
  return { ...sample, repairs: [], runs: [] };
}

/** Anchors index: grows by doubling. */
class PairList {
  private data = new Float64Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }

  sorted(): Float64Array {
    return this.data.slice(0, this.length).sort();
  }
}

/** Sample numbers fit in 21 bits beside a 32-bit anchor in a double's 53. */
const SAMPLE_BITS = 2 ** 21;

/**
 * Samples in memory, for a batch. Each sample's anchors go into one list of (anchor, sample)
 * pairs, sorted when a source's related pages are asked for after a change: eight bytes an
 * anchor, so that a batch of many sources is indexed without a map entry per passage.
 */
export class MemorySampleStore implements SampleStore {
  private readonly bySource = new Map<string, { pages: number; samples: Sample[] }>();
  /** Every sample kept, by number (undefined once it left its source's sample). */
  private readonly numbered: (Sample | undefined)[] = [];
  private readonly numbers = new WeakMap<Sample, number>();
  private readonly pairs = new PairList();
  private index: Float64Array | undefined;

  constructor(private readonly size = SAMPLE_SIZE) {}

  private keepSync(draft: Sample): number {
    const sample = learningSample(draft);
    let entry = this.bySource.get(sample.source);
    if (!entry) {
      entry = { pages: 0, samples: [] };
      this.bySource.set(sample.source, entry);
    }
    entry.pages++;
    // A page seen again replaces its earlier sample.
    const previous = entry.samples.findIndex((s) => s.id === sample.id);
    if (previous >= 0) this.forget(entry.samples.splice(previous, 1)[0] as Sample);
    const at = entry.samples.findIndex((s) => byRank(sample, s) < 0);
    if (at < 0) {
      if (entry.samples.length >= this.size) return entry.pages;
      entry.samples.push(sample);
    } else entry.samples.splice(at, 0, sample);
    this.indexSample(sample);
    while (entry.samples.length > this.size) this.forget(entry.samples.pop() as Sample);
    return entry.pages;
  }

  private indexSample(sample: Sample): void {
    const number = this.numbered.length;
    if (number >= SAMPLE_BITS) return; // two million samples: past them, a page is not indexed
    this.numbered.push(sample);
    this.numbers.set(sample, number);
    for (const anchor of passageAnchors(sample.paragraphs)) this.pairs.push(anchor * SAMPLE_BITS + number);
    this.index = undefined;
  }

  private forget(sample: Sample): void {
    const number = this.numbers.get(sample);
    if (number !== undefined) this.numbered[number] = undefined;
  }

  async keep(sample: Sample): Promise<number> {
    return this.keepSync(sample);
  }

  async samples(source: string): Promise<Sample[]> {
    return [...(this.bySource.get(source)?.samples ?? [])];
  }

  async sources(): Promise<string[]> {
    return [...this.bySource.keys()].sort();
  }

  async holding(source: string, anchors: ReadonlySet<number>): Promise<Sample[]> {
    this.index ??= this.pairs.sorted();
    const index = this.index;
    const found = new Set<Sample>();
    for (const anchor of anchors) {
      // The first pair of this anchor, then every one after it.
      let lo = 0;
      let hi = index.length;
      const first = anchor * SAMPLE_BITS;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((index[mid] as number) < first) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo; i < index.length && (index[i] as number) < first + SAMPLE_BITS; i++) {
        const sample = this.numbered[(index[i] as number) - first];
        if (sample && sample.source !== source) found.add(sample);
      }
    }
    return [...found];
  }
}

export function profileWords(profile: DeletionProfile | undefined): string[] {
  return (profile?.words ?? []).map((w) => w.word).sort();
}

/** The rule both stores follow when saving a profile (see `ProfileStore.save`). */
export function replaceProfile(
  current: StoredProfile | undefined,
  learned: StoredProfile,
): { next: StoredProfile; changed: boolean } {
  if (current && current.pages > learned.pages) return { next: current, changed: false };
  const changed =
    profileWords(current?.profile).join('\u0000') !== profileWords(learned.profile).join('\u0000') ||
    (current?.template ?? []).join('\u0000') !== (learned.template ?? []).join('\u0000');
  return { next: learned, changed };
}

export class MemoryProfileStore implements ProfileStore {
  private readonly profiles = new Map<string, StoredProfile>();

  getSync(source: string): StoredProfile | undefined {
    return this.profiles.get(source);
  }

  async get(source: string): Promise<StoredProfile | undefined> {
    return this.getSync(source);
  }

  saveSync(source: string, learned: StoredProfile): { saved: StoredProfile; changed: boolean } {
    const { next, changed } = replaceProfile(this.profiles.get(source), learned);
    this.profiles.set(source, next);
    return { saved: next, changed };
  }

  async save(source: string, learned: StoredProfile): Promise<{ saved: StoredProfile; changed: boolean }> {
    return this.saveSync(source, learned);
  }
}
