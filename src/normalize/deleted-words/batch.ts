/**
 * Learning deleted words across a batch: pass one feeds every draft in; `profiles()` learns each
 * source's list; pass two restores each draft with its source's profile and the character
 * statistics of the whole batch. Memory is bounded: per source a capped sample of text and gap
 * contexts, and one capped character model.
 */
import type { DraftDocument } from '../pipeline.js';
import { CharNgramModel } from './char-ngram.js';
import { type DeletionProfile, learnProfile, SourceEvidence } from './profile.js';
import { restoreDeletedWords } from './restore.js';

/** Characters of the batch kept for the character model (about 3 MB of text). */
const BACKGROUND_CHARS = 1_000_000;

export class DeletionLearner {
  private readonly evidence = new Map<string, SourceEvidence>();
  private learned: Map<string, DeletionProfile> | undefined;
  /** Intact text for the character model, kept as text and counted only if a profile needs it. */
  private readonly sample: string[] = [];
  private sampleChars = 0;
  private model: CharNgramModel | undefined;

  add(draft: DraftDocument): void {
    let source = this.evidence.get(draft.source);
    if (!source) {
      source = new SourceEvidence(draft.source);
      this.evidence.set(draft.source, source);
    }
    source.add(draft);
    for (const paragraph of draft.paragraphs) {
      if (this.sampleChars >= BACKGROUND_CHARS) break;
      this.sample.push(paragraph);
      this.sampleChars += paragraph.length;
    }
    this.learned = undefined;
    this.model = undefined;
  }

  /** Character statistics of the batch's text, built on first use. */
  get background(): CharNgramModel {
    if (!this.model) {
      this.model = new CharNgramModel(BACKGROUND_CHARS);
      for (const paragraph of this.sample) this.model.add(paragraph);
    }
    return this.model;
  }

  /** Every source's profile, learned from what was added so far. */
  profiles(): Map<string, DeletionProfile> {
    if (!this.learned) {
      this.learned = new Map();
      for (const [source, evidence] of this.evidence) this.learned.set(source, learnProfile(evidence));
    }
    return this.learned;
  }

  restore(draft: DraftDocument): DraftDocument {
    const profile = this.profiles().get(draft.source);
    if (!profile || profile.words.length === 0) return draft;
    return restoreDeletedWords(draft, profile, { background: this.background });
  }
}

/** `finfaq normalize --report`: each source's learned list with its evidence, one block a source. */
export function formatProfiles(profiles: Iterable<DeletionProfile>): string {
  const lines: string[] = [];
  for (const profile of profiles) {
    lines.push(`source ${profile.source} (${profile.documents} documents): ${profile.words.length === 0 ? 'deletes nothing found' : `${profile.words.length} deleted words`}`);
    for (const w of profile.words)
      lines.push(
        `  ${w.word}\tmarked gaps ${w.markedGaps}, orphaned partners ${w.orphans}, share of gaps ${w.markedShare}, seen ${w.count} times (language predicts ${w.expected})`,
      );
  }
  return `${lines.join('\n')}\n`;
}
