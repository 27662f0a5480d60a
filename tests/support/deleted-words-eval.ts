/**
 * Measures deleted-word restoration on simulated filtered sites: precision (inserted words that
 * are right) and recall (deleted words put back), per site and overall, the way `finfaq
 * normalize` runs it (one batch: drafts, learned profiles, restoration).
 */
import { DeletionLearner } from '../../src/normalize/deleted-words/batch.js';
import { type DraftDocument, draftDocument } from '../../src/normalize/pipeline.js';
import { insertionsBetween, type SiteSpec, sitePages } from './filtered-sites.js';

export interface SiteScore {
  site: string;
  deletes: string;
  learned: string;
  inserted: number;
  correct: number;
  deleted: number;
  /** Pages of a site that deletes nothing whose text the restoration changed. */
  changedCleanPages: number;
}

export interface EvalResult {
  sites: SiteScore[];
  precision: number;
  recall: number;
}

const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b);

export function evaluateRestoration(sites: SiteSpec[]): EvalResult {
  const learner = new DeletionLearner();
  const pages: { site: SiteSpec; draft: DraftDocument; truth: string[] }[] = [];
  for (const page of sitePages(sites)) {
    const draft = draftDocument(page.raw);
    learner.add(draft);
    pages.push({ site: page.site, draft, truth: page.truth });
  }
  const profiles = learner.profiles();
  const scores = new Map<string, SiteScore>(
    sites.map((s) => [
      s.name,
      {
        site: s.name,
        deletes: s.words.map((w) => `${w.word}(${w.space})`).join(' ') || '-',
        learned:
          profiles
            .get(s.name)
            ?.words.map((w) => w.word)
            .join(' ') || '-',
        inserted: 0,
        correct: 0,
        deleted: 0,
        changedCleanPages: 0,
      },
    ]),
  );
  for (const { site, draft, truth } of pages) {
    const score = scores.get(site.name) as SiteScore;
    const restored = learner.restore(draft);
    let changed = false;
    draft.paragraphs.forEach((before, i) => {
      const after = restored.paragraphs[i] as string;
      const made = insertionsBetween(before, after);
      const needed = insertionsBetween(before, truth[i] ?? '');
      const key = ([offset, text]: [number, string]) => `${offset}:${text}`;
      const wanted = new Set(needed.map(key));
      score.inserted += made.length;
      score.deleted += needed.length;
      score.correct += made.filter((m) => wanted.has(key(m))).length;
      if (made.length > 0) changed = true;
    });
    if (site.words.length === 0 && changed) score.changedCleanPages++;
  }
  const all = [...scores.values()];
  const inserted = all.reduce((n, s) => n + s.inserted, 0);
  const correct = all.reduce((n, s) => n + s.correct, 0);
  const deleted = all.reduce((n, s) => n + s.deleted, 0);
  return { sites: all, precision: ratio(correct, inserted), recall: ratio(correct, deleted) };
}

export function formatEval(result: EvalResult): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const rows = result.sites.map(
    (s) =>
      `${s.site.padEnd(16)} deletes ${s.deletes.padEnd(40)} learned ${s.learned.padEnd(20)} precision ${pct(ratio(s.correct, s.inserted)).padStart(6)} (${s.correct}/${s.inserted})  recall ${pct(ratio(s.correct, s.deleted)).padStart(6)} (${s.correct}/${s.deleted})${s.changedCleanPages ? `  CHANGED ${s.changedCleanPages} clean pages` : ''}`,
  );
  return `${rows.join('\n')}\noverall: precision ${pct(result.precision)}, recall ${pct(result.recall)}\n`;
}
