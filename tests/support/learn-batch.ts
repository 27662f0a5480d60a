import { DeletionCycle } from '../../src/normalize/deleted-words/cycle.js';
import type { DeletionProfile } from '../../src/normalize/deleted-words/profile.js';
import type { DraftDocument } from '../../src/records/draft.js';

/** A batch as `finfaq normalize` runs it: every draft observed, every source's profile learned. */
export interface LearnedBatch {
  cycle: DeletionCycle;
  profiles: Map<string, DeletionProfile>;
  restore(draft: DraftDocument): Promise<DraftDocument>;
}

export async function learnBatch(drafts: Iterable<DraftDocument>): Promise<LearnedBatch> {
  const cycle = DeletionCycle.inMemory();
  for (const draft of drafts) await cycle.observe(draft);
  const profiles = new Map((await cycle.learnAll()).map((p) => [p.source, p]));
  return { cycle, profiles, restore: (draft) => cycle.restore(draft) };
}
