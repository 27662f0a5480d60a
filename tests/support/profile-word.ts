import type { ProfileWord } from '../../src/normalize/deleted-words/profile.js';

/** A profile word as a learner would give it, with the share of the source's marked gaps it fills. */
export function profileWord(word: string, markedShare: number): ProfileWord {
  return { word, markedGaps: 3, orphans: 0, predicted: 0, frameGaps: 0, count: 0, expected: 1, markedShare };
}
