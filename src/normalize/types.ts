/** Shared shapes of the normalizer: every stage takes text and returns text plus what it changed. */

export const REPAIR_KINDS = [
  'pinyin',
  'mojibake',
  'missing-word',
  'punctuation',
  'script',
  'boilerplate',
  'charset',
  'html',
] as const;
export type RepairKind = (typeof REPAIR_KINDS)[number];

export const SCRIPTS = ['hans', 'hant', 'tw', 'hk'] as const;
export type Script = (typeof SCRIPTS)[number];

/** One change the normalizer made; `paragraph` indexes the record's `paragraphs`. */
export interface Repair {
  kind: RepairKind;
  paragraph: number;
  before: string;
  after: string;
  /** 0..1: how sure the model is that `after` is what the page said. */
  confidence: number;
}

/** A repair before it is placed in a document: the stage does not know the paragraph index. */
export type TextRepair = Omit<Repair, 'paragraph'>;

/** Where a word may be missing: an offset into a paragraph's text. */
export interface Gap {
  offset: number;
  /**
   * `marked`: a space showed it; `unmarked`: only the shape of the line suggests it (a heading
   * ending in 的); `frame`: grammar does (a 在 frame nothing closes, `在…的_保护用户`).
   */
  evidence: 'marked' | 'unmarked' | 'frame';
  /** A marked gap that also leaves a 在 frame open: it lost the frame's closer. */
  inFrame?: true;
}

/** What a text stage returns: the new text, each change, and problems it saw but left alone. */
export interface StageOutput {
  text: string;
  repairs: TextRepair[];
  flags: string[];
  /** Possible gaps in the returned text (only the last stage that reports them may do so). */
  gaps?: Gap[];
}

export function unchanged(text: string): StageOutput {
  return { text, repairs: [], flags: [] };
}
