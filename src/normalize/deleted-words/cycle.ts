/**
 * The learning cycle of deleted words (FAULTS.md §3), once for every caller: `finfaq normalize`
 * runs it over a batch with in-memory stores, the queue with Redis samples and the app store's
 * profiles (`src/queue/profiles.ts`), which only glue it to jobs.
 *
 * - `observe`: each page's draft is kept as a sample of its source (`samples.ts`: a fixed sample
 *   by hash, so the order pages come in does not matter) and counts towards its source's pages;
 *   `learnDue` says when the source's profile is to be learned (again).
 * - `learn`: the source's profile is learned from its samples, with the samples of other sources
 *   related to them (sharing a passage) as the intact text it is compared against, and saved
 *   unless the store has one learned from more pages.
 * - `restore`: a page gets its source's deleted words back with the stored profile and the same
 *   batch of samples (long contexts, copies, frames).
 * - `restoredSamples`: after a profile's words changed, the source's sampled pages restored with it.
 *
 * A page's record depends on its source's pages and on the pages related to them, never on
 * unrelated pages of a batch, nor on their order.
 */
import type { DraftDocument } from '../draft.js';
import { SourceTemplates, stripTemplate } from '../layout/templates.js';
import type { Script } from '../types.js';
import { SourceBatch } from './batch.js';
import type { DeletionProfile } from './profile.js';
import {
  MemoryProfileStore,
  MemorySampleStore,
  type ProfileStore,
  pageChars,
  passageAnchors,
  relatedPages,
  type Sample,
  type SampleStore,
  type StoredProfile,
} from './samples.js';

/** Pages after which a source's profile is first learned, then learned again, doubling… */
const FIRST_LEARN = 20;
const LAST_DOUBLING = 320;
/** …then every this many pages. */
const LEARN_EVERY = 500;

/**
 * Whether the source's profile is due to be learned again after its `pages`-th page: at 20, 40,
 * 80, 160 and 320 pages, then every 500. Learning costs about as much as normalizing a few dozen
 * pages (and a thread's first one ~3 s more, for the dictionary index), so it is done rarely.
 */
export function relearnDue(pages: number): boolean {
  if (pages < FIRST_LEARN) return false;
  if (pages <= LAST_DOUBLING) return Number.isInteger(Math.log2(pages / FIRST_LEARN));
  return pages % LEARN_EVERY === 0;
}

/** Source batches kept built (each holds a text index of up to a few MB). */
const BATCHES_KEPT = 8;

export class DeletionCycle {
  /**
   * Built batches by source, least recently used first, each with the pages of the profile it
   * serves: a batch is built again when a newer profile is learned, not for every page observed.
   */
  private readonly batches = new Map<string, { batch: SourceBatch; pages: number }>();

  constructor(
    readonly samples: SampleStore,
    readonly profiles: ProfileStore,
  ) {}

  /** A cycle over one batch of pages, in memory (`finfaq normalize`, tests). */
  static inMemory(): DeletionCycle {
    return new DeletionCycle(new MemorySampleStore(), new MemoryProfileStore());
  }

  /** Keeps the page as a sample of its source; `learnDue` when its profile is to be learned now. */
  async observe(draft: DraftDocument, to?: Script): Promise<{ pages: number; learnDue: boolean }> {
    const sample: Sample = to === undefined ? draft : { ...draft, to };
    const pages = await this.samples.keep(sample);
    return { pages, learnDue: relearnDue(pages) };
  }

  /**
   * The source's batch: its samples and the related samples of other sources, as the stores hold
   * them now, or as they were built for the profile of `pages` pages.
   */
  private async batch(source: string, pages: number): Promise<SourceBatch> {
    const kept = this.batches.get(source);
    this.batches.delete(source);
    if (kept && kept.pages === pages) {
      this.batches.set(source, kept);
      return kept.batch;
    }
    const own = await this.samples.samples(source);
    const anchors = new Set<number>();
    for (const page of own) for (const anchor of passageAnchors(page.paragraphs)) anchors.add(anchor);
    const ownChars = own.reduce((n, page) => n + pageChars(page), 0);
    const related = relatedPages(source, anchors, await this.samples.holding(source, anchors), ownChars);
    const batch = new SourceBatch(source, own, related);
    this.batches.set(source, { batch, pages });
    while (this.batches.size > BATCHES_KEPT) this.batches.delete(this.batches.keys().next().value as string);
    return batch;
  }

  /**
   * Learns the source's profile from the samples and saves it (unless the store has one learned
   * from more pages): `pages` is how many the source had, by default its samples. `changed`: the
   * saved profile is this one and its words differ from before.
   */
  async learn(
    source: string,
    pages?: number,
  ): Promise<{ profile: DeletionProfile; saved: StoredProfile; changed: boolean }> {
    // Built afresh: samples kept since a batch was built belong in it.
    this.batches.delete(source);
    const batch = await this.batch(source, Number.NaN);
    const profile = batch.profile();
    // The site's template, from the same samples (lines on most of its pages).
    const templates = new SourceTemplates();
    for (const page of batch.ownPages) templates.observe(page);
    const template = [...templates.templateOf(source)].sort();
    const learned: StoredProfile = { profile, pages: pages ?? profile.documents };
    if (template.length > 0) learned.template = template;
    const { saved, changed } = await this.profiles.save(source, learned);
    if (saved.pages === learned.pages) this.batches.set(source, { batch, pages: saved.pages });
    return { profile, saved, changed };
  }

  /** Learns every source with samples (a batch, once all of it has been observed). */
  async learnAll(): Promise<DeletionProfile[]> {
    const learned: DeletionProfile[] = [];
    for (const source of await this.samples.sources()) {
      learned.push((await this.learn(source)).profile);
      // Between sources, the event loop runs (a signal's handler, a progress bar).
      await new Promise((resolve) => setImmediate(resolve));
    }
    return learned;
  }

  async profileOf(source: string): Promise<DeletionProfile | undefined> {
    return (await this.profiles.get(source))?.profile;
  }

  /**
   * The page without its source's template lines and with its deleted words back, by the stored
   * profile (unchanged without one).
   */
  async restore(draft: DraftDocument): Promise<DraftDocument> {
    const stored = await this.profiles.get(draft.source);
    if (!stored) return draft;
    const page = stripTemplate(draft, new Set(stored.template ?? []));
    if (stored.profile.words.length === 0) return page;
    return (await this.batch(draft.source, stored.pages)).restore(page, stored.profile);
  }

  /** The source's sampled pages restored with its stored profile (those it changes). */
  async *restoredSamples(source: string): AsyncGenerator<{ sample: Sample; restored: DraftDocument }> {
    for (const sample of await this.samples.samples(source)) {
      const restored = await this.restore(sample);
      if (restored !== sample) yield { sample, restored };
    }
  }
}
