/**
 * Learning deleted words across a batch: pass one feeds every draft in; `profiles()` learns each
 * source's list; pass two restores each draft with its source's profile and the character
 * statistics of the whole batch. Memory is bounded: per source a capped sample of text and gap
 * contexts, and one capped character model.
 */
import type { DraftDocument } from '../pipeline.js';
import { CharNgramModel } from './char-ngram.js';
import { type IntactText, TextCorpus, WordSpreads } from './corpus.js';
import {
  type BatchStatistics,
  type DeletionProfile,
  frequentGrams,
  learnProfile,
  SourceEvidence,
} from './profile.js';
import { restoreDeletedWords } from './restore.js';

/** Characters counted for the batch's character model (bounds memory), and per source. */
const BACKGROUND_CHARS = 500_000;
const SOURCE_CHARS = 100_000;

export class DeletionLearner {
  private readonly evidence = new Map<string, SourceEvidence>();
  private learned: Map<string, DeletionProfile> | undefined;
  /** Character statistics: of the whole batch, and of each source (their sum is `all`). */
  private readonly all = new CharNgramModel(BACKGROUND_CHARS);
  private readonly own = new Map<string, CharNgramModel>();
  /** The batch's text for long contexts. */
  private readonly corpus = new TextCorpus(BACKGROUND_CHARS);

  add(draft: DraftDocument): void {
    let source = this.evidence.get(draft.source);
    if (!source) {
      source = new SourceEvidence(draft.source);
      this.evidence.set(draft.source, source);
    }
    source.add(draft);
    this.addText(draft);
  }

  /**
   * Adds a page whose source is not to be learned: its text counts in the statistics, but its own
   * evidence (segmenting every paragraph) is not gathered. The queue learns one source at a time.
   */
  addBackground(draft: DraftDocument): void {
    this.addText(draft);
  }

  private addText(draft: DraftDocument): void {
    let own = this.own.get(draft.source);
    if (!own) {
      own = new CharNgramModel(SOURCE_CHARS);
      this.own.set(draft.source, own);
    }
    // Both or neither: `all` less `own` must be exactly the other sources' text.
    for (const paragraph of draft.paragraphs) {
      if (own.full || this.all.full) break;
      own.add(paragraph);
      this.all.add(paragraph);
    }
    for (const paragraph of draft.paragraphs) if (!this.corpus.add(draft.source, paragraph)) break;
    this.learned = undefined;
    this.frequent = undefined;
    this.views.clear();
    this.intactViews.clear();
    this.spreadsMemo = undefined;
  }

  private spreadsMemo: WordSpreads | undefined;

  private spreads(): WordSpreads {
    this.spreadsMemo ??= new WordSpreads(this.corpus);
    return this.spreadsMemo;
  }

  private readonly intactViews = new Map<string, IntactText>();

  /**
   * For `source`'s pages, the batch's text that can show each word where it belongs: every source's
   * but this one's, and but those that delete the word (their profiles) or lack it (they have
   * far fewer of it than the rest of the batch does per character).
   */
  private intact(source: string): IntactText {
    let view = this.intactViews.get(source);
    if (!view) {
      const profiles = this.profiles();
      const corpus = this.corpus;
      const own = corpus.sourceId(source);
      const bySource = new Map<string, number>();
      for (const name of profiles.keys()) bySource.set(name, corpus.sourceId(name));
      const cache = new Map<string, Set<number>>();
      const spreads = this.spreads();
      view = {
        corpus,
        source: own,
        excluded: (word) => {
          let set = cache.get(word);
          if (!set) {
            set = new Set([own, ...spreads.of(word).lacking]);
            for (const [name, profile] of profiles)
              if (profile.words.some((w) => w.word === word)) set.add(bySource.get(name) as number);
            cache.set(word, set);
          }
          return set;
        },
      };
      this.intactViews.set(source, view);
    }
    return view;
  }

  private frequent: [string, number][] | undefined;

  private readonly views = new Map<string, BatchStatistics>();

  private statistics(source: string): BatchStatistics {
    let stats = this.views.get(source);
    if (!stats) {
      const own = this.own.get(source) ?? new CharNgramModel(0);
      this.frequent ??= frequentGrams(this.all);
      stats = {
        all: this.all,
        own,
        others: this.all.without(own),
        frequent: this.frequent,
        corpus: { spreads: this.spreads(), source: this.corpus.sourceId(source) },
      };
      this.views.set(source, stats);
    }
    return stats;
  }

  /** Every source's profile, learned from what was added so far. */
  profiles(): Map<string, DeletionProfile> {
    if (!this.learned) {
      this.learned = new Map();
      for (const [source, evidence] of this.evidence)
        this.learned.set(source, learnProfile(evidence, undefined, this.statistics(source)));
    }
    return this.learned;
  }

  /** One source's profile, learned from what was added so far (the queue learns one at a time). */
  profileOf(source: string): DeletionProfile | undefined {
    const learned = this.learned?.get(source);
    if (learned) return learned;
    const evidence = this.evidence.get(source);
    return evidence ? learnProfile(evidence, undefined, this.statistics(source)) : undefined;
  }

  restore(draft: DraftDocument): DraftDocument {
    const profile = this.profiles().get(draft.source);
    if (!profile || profile.words.length === 0) return draft;
    return restoreDeletedWords(draft, profile, {
      background: this.statistics(draft.source).others,
      intact: this.intact(draft.source),
    });
  }
}

/** `finfaq normalize --report`: each source's learned list with its evidence, one block a source. */
export function formatProfiles(profiles: Iterable<DeletionProfile>): string {
  const lines: string[] = [];
  for (const profile of profiles) {
    lines.push(
      `source ${profile.source} (${profile.documents} documents): ${profile.words.length === 0 ? 'deletes nothing found' : `${profile.words.length} deleted words`}`,
    );
    for (const w of profile.words)
      lines.push(
        `  ${w.word}\tmarked gaps ${w.markedGaps}, orphaned partners ${w.orphans}, predicted by other sources ${w.predicted}, open frames ${w.frameGaps}, share of gaps ${w.markedShare}, seen ${w.count} times (language predicts ${w.expected})`,
      );
  }
  return `${lines.join('\n')}\n`;
}
