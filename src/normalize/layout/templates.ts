/**
 * A source's template: lines that stand on most of its pages are the site's, not the article's
 * (a slogan under the masthead, the site's name again above the body, a standing notice). Learned
 * per source over a batch, the way deleted words are (`deleted-words/cycle.ts`): `observe` every
 * draft of the batch, then `strip` each one. Pages are counted once per content, so copies of one
 * article never make its lines look like a template; headings are never template lines (a site
 * that opens every article with `小编导语` still writes it as a heading of each).
 *
 * Memory: per source, the short lines seen and the pages each stood on, up to `MAX_LINES` lines.
 */
import { sha256Hex } from '../../records/hash.js';
import type { DraftDocument } from '../draft.js';
import { putBack } from '../protected-runs.js';
import type { Repair } from '../types.js';
import { bareWords } from './line-shapes.js';
import { isGenericHeading } from './page-model.js';

/** A line is template when it stands on this share of the source's pages, and on this many at least. */
const SHARE = 0.6;
const MIN_PAGES = 4;
/** Longer lines are the article's own whatever they repeat. */
const MAX_CHARS = 120;
const MAX_LINES = 20_000;
const NUMBERED = /^\s*(\d+(\.\d+)*\s*[.、．)）]|[一二三四五六七八九十]+\s*[、.．]|第.{1,4}[章节条部篇])/;

interface SourceLines {
  /** Distinct page contents seen. */
  pages: Set<string>;
  /** Bare line → the contents it stood on. */
  lines: Map<string, Set<string>>;
}

function eligible(paragraph: string): string | undefined {
  if (paragraph.length > MAX_CHARS || NUMBERED.test(paragraph) || isGenericHeading(paragraph))
    return undefined;
  const bare = bareWords(paragraph);
  return bare.length >= 2 ? bare : undefined;
}

function contentKey(draft: DraftDocument): string {
  return sha256Hex(draft.paragraphs, { after: '\n', chars: 16 });
}

export class SourceTemplates {
  private readonly sources = new Map<string, SourceLines>();

  /** Counts the draft's short lines towards its source. */
  observe(draft: DraftDocument): void {
    let source = this.sources.get(draft.source);
    if (!source) {
      source = { pages: new Set(), lines: new Map() };
      this.sources.set(draft.source, source);
    }
    const key = contentKey(draft);
    if (source.pages.has(key)) return;
    source.pages.add(key);
    for (const paragraph of draft.paragraphs) {
      const bare = eligible(paragraph);
      if (bare === undefined) continue;
      let pages = source.lines.get(bare);
      if (!pages) {
        if (source.lines.size >= MAX_LINES) continue;
        pages = new Set();
        source.lines.set(bare, pages);
      }
      pages.add(key);
    }
  }

  /** The source's template lines, bare (script, spaces and punctuation aside). */
  templateOf(source: string): Set<string> {
    const seen = this.sources.get(source);
    const template = new Set<string>();
    if (!seen || seen.pages.size < MIN_PAGES) return template;
    const needed = Math.max(MIN_PAGES, Math.ceil(SHARE * seen.pages.size));
    for (const [line, pages] of seen.lines) if (pages.size >= needed) template.add(line);
    return template;
  }

  /** The draft without its source's template lines, each recorded as a boilerplate repair. */
  strip(draft: DraftDocument): DraftDocument {
    return stripTemplate(draft, this.templateOf(draft.source));
  }
}

/** The draft without the lines of `template` (bare, as `templateOf` gives them), each recorded. */
export function stripTemplate(draft: DraftDocument, template: ReadonlySet<string>): DraftDocument {
  if (template.size === 0) return draft;
  const drop = new Set<number>();
  draft.paragraphs.forEach((p, i) => {
    const bare = eligible(p);
    if (bare !== undefined && template.has(bare)) drop.add(i);
  });
  // A page that is all template is the template itself: left whole.
  if (drop.size === 0 || drop.size === draft.paragraphs.length) return draft;
  return dropParagraphs(draft, drop);
}

/** The draft without the paragraphs in `drop`; repairs, gaps, held-out runs and forms renumbered. */
export function dropParagraphs(draft: DraftDocument, drop: ReadonlySet<number>): DraftDocument {
  const newIndex: number[] = [];
  let kept = 0;
  draft.paragraphs.forEach((_, i) => {
    newIndex[i] = kept;
    if (!drop.has(i)) kept++;
  });
  const renumber = (p: number) => (p < 0 ? p : p >= draft.paragraphs.length ? kept : (newIndex[p] as number));
  const runsOf = (p: number) => (draft.runs ?? []).filter((r) => r.paragraph === p);
  const repairs: Repair[] = [];
  for (const repair of draft.repairs)
    if (!drop.has(repair.paragraph)) repairs.push({ ...repair, paragraph: renumber(repair.paragraph) });
  for (const i of drop)
    repairs.push({
      kind: 'boilerplate',
      paragraph: renumber(i),
      before: putBack(draft.paragraphs[i] as string, runsOf(i)).text,
      after: '',
      confidence: 1,
    });
  // In paragraph order, as the pipeline gives them (a stable sort keeps each paragraph's order).
  repairs.sort((a, b) => a.paragraph - b.paragraph);
  const gaps = draft.gaps
    .filter((g) => !drop.has(g.paragraph))
    .map((g) => ({ ...g, paragraph: renumber(g.paragraph) }));
  const flags = gaps.length > 0 ? draft.flags : draft.flags.filter((f) => f !== 'possible-gap');
  return {
    ...draft,
    paragraphs: draft.paragraphs.filter((_, i) => !drop.has(i)),
    repairs,
    flags,
    gaps,
    runs: draft.runs
      ?.filter((r) => !drop.has(r.paragraph))
      .map((r) => ({ ...r, paragraph: renumber(r.paragraph) })),
    ...(draft.forms
      ? {
          forms: draft.forms
            .filter((f) => !drop.has(f.paragraph))
            .map((f) => ({ ...f, paragraph: renumber(f.paragraph) })),
        }
      : {}),
  };
}
