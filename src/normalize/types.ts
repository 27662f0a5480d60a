/** Shared shapes of the normalizer: every stage takes text and returns text plus what it changed. */
import type { Gap } from '../records/draft.js';
import type { Repair, UnresolvedKind } from '../records/repairs.js';

// The record's own shapes live in src/records; the stages import them from here.
export type { Gap } from '../records/draft.js';
export {
  REPAIR_KINDS,
  type Repair,
  type RepairKind,
  UNRESOLVED_KINDS,
  type Unresolved,
  type UnresolvedKind,
} from '../records/repairs.js';
export { SCRIPTS, type Script } from '../records/scripts.js';

/** A repair before it is placed in a document: the stage does not know the paragraph index. */
export type TextRepair = Omit<Repair, 'paragraph'>;

/** A problem a stage left in place, by UTF-16 offsets into the text the stage returned. */
export interface UnresolvedSpan {
  kind: UnresolvedKind;
  start: number;
  end: number;
}

/** What a text stage returns: the new text, each change, and problems it saw but left alone. */
export interface StageOutput {
  text: string;
  repairs: TextRepair[];
  flags: string[];
  /** Where garbled text was left as it is: later stages must not touch it. */
  unresolved?: UnresolvedSpan[];
  /** Possible gaps in the returned text (only the last stage that reports them may do so). */
  gaps?: Gap[];
}

export function unchanged(text: string): StageOutput {
  return { text, repairs: [], flags: [] };
}
