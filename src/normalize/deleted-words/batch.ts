/**
 * One source's learning batch: its sampled pages, and the pages of other sources related to them
 * (sharing a passage, see `samples.ts`) as the text the learner compares against. The profile is
 * learned from it, and the source's pages are restored with it: nothing else in a batch of pages,
 * or in the queue's samples, reaches a source's record. Memory is bounded: the source's evidence
 * is capped (`profile.ts`), the related text by `RELATED_CHARS`, the text index (which also
 * serves as the batch's character model) by `BATCH_CHARS`.
 */
import type { DraftDocument } from '../draft.js';
import type { NgramView } from './char-ngram.js';
import { type IntactText, TextCorpus, WordSpreads } from './corpus.js';
import {
  type BatchStatistics,
  type DeletionProfile,
  frequentGrams,
  learnProfile,
  SourceEvidence,
} from './profile.js';
import { restoreDeletedWords } from './restore.js';

/** Characters of the batch's text index (bounds memory: about 10 bytes a character). */
const BATCH_CHARS = 600_000;

export class SourceBatch {
  /** The batch's text: long contexts, and counts of any string (the batch's character model). */
  private readonly corpus = new TextCorpus(BATCH_CHARS);

  /**
   * `own`: the source's pages, `related`: other sources' pages related to them, each in a fixed
   * order (rank order), so that the same pages give the same batch.
   */
  constructor(
    readonly source: string,
    /** The source's own sampled pages. */
    readonly ownPages: readonly DraftDocument[],
    related: readonly DraftDocument[],
  ) {
    // Every page under its own source: the corpus tells sources apart.
    for (const page of [...ownPages, ...related])
      for (const paragraph of page.paragraphs) if (!this.corpus.add(page.source, paragraph)) return;
  }

  private spreadsMemo: WordSpreads | undefined;

  private spreads(): WordSpreads {
    this.spreadsMemo ??= new WordSpreads(this.corpus);
    return this.spreadsMemo;
  }

  private intactMemo: IntactText | undefined;

  /**
   * The batch's text that can show each word where it belongs in this source's pages: every
   * source's but this one's, and but those that lack the word (they have far fewer of it than
   * the rest of the batch does per character: their filters delete it too, or they never write it).
   */
  private intact(): IntactText {
    if (!this.intactMemo) {
      const corpus = this.corpus;
      const own = corpus.sourceId(this.source);
      const cache = new Map<string, Set<number>>();
      const spreads = this.spreads();
      this.intactMemo = {
        corpus,
        source: own,
        excluded: (word) => {
          let set = cache.get(word);
          if (!set) {
            set = new Set([own, ...spreads.of(word).lacking]);
            cache.set(word, set);
          }
          return set;
        },
      };
    }
    return this.intactMemo;
  }

  private statisticsMemo: BatchStatistics | undefined;

  private statistics(): BatchStatistics {
    this.statisticsMemo ??= {
      all: this.corpus.view(),
      others: this.others(),
      frequent: frequentGrams(this.corpus),
      corpus: { spreads: this.spreads(), source: this.corpus.sourceId(this.source) },
    };
    return this.statisticsMemo;
  }

  private othersMemo: NgramView | undefined;

  /** Counts in the related pages' text (every source's in the batch but this one's). */
  others(): NgramView {
    this.othersMemo ??= this.corpus.view(new Set([this.corpus.sourceId(this.source)]));
    return this.othersMemo;
  }

  private learned: DeletionProfile | undefined;

  /** The source's profile, learned from its pages, with the related pages as intact text. */
  profile(): DeletionProfile {
    if (!this.learned) {
      const evidence = new SourceEvidence(this.source);
      for (const page of this.ownPages) evidence.add(page);
      // A batch of one source's text has no other source to compare with: the statistics would
      // find nothing missing (no source lacks a word the batch itself uses) and keep every orphan
      // (none is seen elsewhere), which is what learning without them gives, at none of their cost
      // (a suffix array and a pass over the frequent strings: most of a lone page's learning).
      const alone = this.corpus.sizes().size <= 1;
      this.learned = learnProfile(evidence, undefined, alone ? undefined : this.statistics());
    }
    return this.learned;
  }

  /** One page of the source restored with `profile` (by default the one learned here). */
  restore(draft: DraftDocument, profile: DeletionProfile = this.profile()): DraftDocument {
    if (profile.words.length === 0) return draft;
    return restoreDeletedWords(draft, profile, { background: this.others(), intact: this.intact() });
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
