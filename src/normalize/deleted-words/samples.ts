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
import type { DraftDocument } from '../pipeline.js';
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
  return sampleRank(a.id) - sampleRank(b.id) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Characters in a hashed passage (a k-gram of winnowing). */
export const PASSAGE = 12;
/** Passages per winnowing window: text shared over `PASSAGE + WINDOW - 1` characters always shares an anchor. */
const WINDOW = 8;
/** Shared text this long makes two pages related, whatever it is. */
export const SHARED_TEXT = PASSAGE + WINDOW - 1;
const HAN = /\p{Script=Han}/u;

/**
 * A page's anchors, by winnowing (Schleimer, Wilkerson and Aiken 2003, as MOSS does): of every
 * `WINDOW` consecutive passages of `PASSAGE` characters, the one with the least hash. Two pages
 * that share `SHARED_TEXT` characters share an anchor, because they share a whole window; about
 * one passage in four is an anchor. Passages less than two thirds Han (numbers, Latin) are none.
 */
export function passageAnchors(paragraphs: readonly string[]): Set<number> {
  const anchors = new Set<number>();
  const NONE = Number.POSITIVE_INFINITY;
  for (const text of paragraphs) {
    if (text.length < PASSAGE) continue;
    const hashes: number[] = [];
    let han = 0;
    for (let i = 0; i < PASSAGE; i++) if (HAN.test(text[i] as string)) han++;
    for (let start = 0; start + PASSAGE <= text.length; start++) {
      if (start > 0) {
        if (HAN.test(text[start - 1] as string)) han--;
        if (HAN.test(text[start + PASSAGE - 1] as string)) han++;
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
 * The pages of other sources related to a source (sharing one of its `anchors`), from `candidates`: in rank
 * order, up to `RELATED_CHARS` characters. Depends on the candidates only through those related.
 */
export function relatedPages<T extends DraftDocument>(
  source: string,
  anchors: ReadonlySet<number>,
  candidates: readonly T[],
): T[] {
  const related = candidates.filter((page) => {
    if (page.source === source) return false;
    for (const anchor of passageAnchors(page.paragraphs)) if (anchors.has(anchor)) return true;
    return false;
  });
  // The same page may be sampled twice (two sources' samples never hold one id, but be safe).
  const seen = new Set<string>();
  const out: T[] = [];
  let chars = 0;
  for (const page of related.sort(byRank)) {
    if (seen.has(page.id)) continue;
    seen.add(page.id);
    chars += pageChars(page);
    if (chars > RELATED_CHARS) break;
    out.push(page);
  }
  return out;
}

/** What a batch keeps of a draft for learning: its text and gaps, not its repairs. */
function learningSample(sample: Sample): Sample {
  return { ...sample, repairs: [], runs: [] };
}

/**
 * Samples in memory, for a batch. `keepSync` and the other `…Sync` methods are the same as the
 * interface's, for callers that need no promise. Each sample's anchors are indexed, so a source's
 * related pages are found without reading every other page.
 */
export class MemorySampleStore implements SampleStore {
  private readonly bySource = new Map<string, { pages: number; samples: Sample[] }>();
  /** Anchor → the samples holding it. */
  private readonly index = new Map<number, Set<Sample>>();
  private readonly anchorsOf = new WeakMap<Sample, Set<number>>();

  constructor(private readonly size = SAMPLE_SIZE) {}

  keepSync(draft: Sample): number {
    const sample = learningSample(draft);
    let entry = this.bySource.get(sample.source);
    if (!entry) {
      entry = { pages: 0, samples: [] };
      this.bySource.set(sample.source, entry);
    }
    entry.pages++;
    // A page seen again replaces its earlier sample.
    const previous = entry.samples.findIndex((s) => s.id === sample.id);
    if (previous >= 0) this.unindex(entry.samples.splice(previous, 1)[0] as Sample);
    const at = entry.samples.findIndex((s) => byRank(sample, s) < 0);
    if (at < 0) {
      if (entry.samples.length >= this.size) return entry.pages;
      entry.samples.push(sample);
    } else entry.samples.splice(at, 0, sample);
    this.indexSample(sample);
    while (entry.samples.length > this.size) this.unindex(entry.samples.pop() as Sample);
    return entry.pages;
  }

  private indexSample(sample: Sample): void {
    const anchors = passageAnchors(sample.paragraphs);
    this.anchorsOf.set(sample, anchors);
    for (const anchor of anchors) {
      const set = this.index.get(anchor) ?? new Set<Sample>();
      set.add(sample);
      this.index.set(anchor, set);
    }
  }

  private unindex(sample: Sample): void {
    for (const anchor of this.anchorsOf.get(sample) ?? []) {
      const set = this.index.get(anchor);
      set?.delete(sample);
      if (set?.size === 0) this.index.delete(anchor);
    }
  }

  samplesSync(source: string): Sample[] {
    return [...(this.bySource.get(source)?.samples ?? [])];
  }

  sourcesSync(): string[] {
    return [...this.bySource.keys()].sort();
  }

  holdingSync(source: string, anchors: ReadonlySet<number>): Sample[] {
    const found = new Set<Sample>();
    for (const anchor of anchors)
      for (const sample of this.index.get(anchor) ?? []) if (sample.source !== source) found.add(sample);
    return [...found];
  }

  async keep(sample: Sample): Promise<number> {
    return this.keepSync(sample);
  }

  async samples(source: string): Promise<Sample[]> {
    return this.samplesSync(source);
  }

  async sources(): Promise<string[]> {
    return this.sourcesSync();
  }

  async holding(source: string, anchors: ReadonlySet<number>): Promise<Sample[]> {
    return this.holdingSync(source, anchors);
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
    profileWords(current?.profile).join('\u0000') !== profileWords(learned.profile).join('\u0000');
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
