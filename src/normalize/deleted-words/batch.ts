/**
 * One source's learning batch: its sampled pages, and the pages of other sources related to them
 * (sharing a passage, see `samples.ts`) as the text the learner compares against. The profile is
 * learned from it, and the source's pages are restored with it: nothing else in a batch of pages,
 * or in the queue's samples, reaches a source's record. Memory is bounded: the source's evidence
 * is capped (`profile.ts`), the related text by `RELATED_CHARS`, the character models and the
 * text index by `BATCH_CHARS`.
 */
import type { DraftDocument } from '../pipeline.js';
import { CharNgramModel, type NgramView } from './char-ngram.js';
import { type IntactText, TextCorpus, WordSpreads } from './corpus.js';
import {
  type BatchStatistics,
  type DeletionProfile,
  frequentGrams,
  learnProfile,
  SourceEvidence,
} from './profile.js';
import { restoreDeletedWords } from './restore.js';

/** Characters counted for the batch's character models and text index (bounds memory). */
const BATCH_CHARS = 600_000;

export class SourceBatch {
  /** Character statistics: of the whole batch, and of the source's own pages. */
  private readonly all = new CharNgramModel(BATCH_CHARS);
  private readonly own = new CharNgramModel(BATCH_CHARS);
  /** The batch's text for long contexts. */
  private readonly corpus = new TextCorpus(BATCH_CHARS);

  /**
   * `own`: the source's pages, `related`: other sources' pages related to them, each in a fixed
   * order (rank order), so that the same pages give the same batch.
   */
  constructor(
    readonly source: string,
    private readonly ownPages: readonly DraftDocument[],
    related: readonly DraftDocument[],
  ) {
    for (const page of ownPages) this.addText(page, true);
    for (const page of related) this.addText(page, false);
  }

  private addText(draft: DraftDocument, own: boolean): void {
    // Both or neither: `all` less `own` must be exactly the other sources' text.
    for (const paragraph of draft.paragraphs) {
      if (this.all.full) break;
      this.all.add(paragraph);
      if (own) this.own.add(paragraph);
    }
    // Every page of the batch under its own source: the corpus tells sources apart.
    for (const paragraph of draft.paragraphs) if (!this.corpus.add(draft.source, paragraph)) break;
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
      all: this.all,
      own: this.own,
      others: this.others(),
      frequent: frequentGrams(this.all),
      corpus: { spreads: this.spreads(), source: this.corpus.sourceId(this.source) },
    };
    return this.statisticsMemo;
  }

  /** The character counts of the related pages (every source's in the batch but this one's). */
  others(): NgramView {
    return this.all.without(this.own);
  }

  private learned: DeletionProfile | undefined;

  /** The source's profile, learned from its pages, with the related pages as intact text. */
  profile(): DeletionProfile {
    if (!this.learned) {
      const evidence = new SourceEvidence(this.source);
      for (const page of this.ownPages) evidence.add(page);
      this.learned = learnProfile(evidence, undefined, this.statistics());
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
