/**
 * Measures deleted-word restoration on simulated filtered sites: precision (inserted words that
 * are right) and recall (deleted words put back), per site and overall, the way `finfaq
 * normalize` runs it (one batch: drafts, learned profiles, restoration).
 */
import { pathToFileURL } from 'node:url';
import { draftDocument } from '../../src/normalize/pipeline.js';
import type { DraftDocument } from '../../src/records/draft.js';
import { generateArticle } from './article-generator.js';
import { insertionsBetween, type SiteSpec, sitePages } from './filtered-sites.js';
import { learnBatch } from './learn-batch.js';
import { expectedParagraphs, expectedSeed, SEED_NAMES, seedBytes, seedPath } from './seeds.js';

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

interface Counts {
  inserted: number;
  correct: number;
  deleted: number;
}

/** Precision (inserted words that are right) and recall (deleted words put back) over `counts`. */
function precisionRecall(counts: Counts[]): { precision: number; recall: number } {
  const sum = (f: (c: Counts) => number) => counts.reduce((n, c) => n + f(c), 0);
  const correct = sum((c) => c.correct);
  return {
    precision: ratio(
      correct,
      sum((c) => c.inserted),
    ),
    recall: ratio(
      correct,
      sum((c) => c.deleted),
    ),
  };
}

/** What restoring `draft` into `restored` did against the clean `truth`, paragraph by paragraph. */
function scorePage(draft: DraftDocument, restored: DraftDocument, truth: readonly string[]): Counts {
  const key = ([offset, text]: [number, string]) => `${offset}:${text}`;
  const counts = { inserted: 0, correct: 0, deleted: 0 };
  draft.paragraphs.forEach((before, i) => {
    const made = insertionsBetween(before, restored.paragraphs[i] as string);
    const wanted = new Set(insertionsBetween(before, truth[i] ?? '').map(key));
    counts.inserted += made.length;
    counts.deleted += wanted.size;
    counts.correct += made.filter((m) => wanted.has(key(m))).length;
  });
  return counts;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export async function evaluateRestoration(sites: SiteSpec[]): Promise<EvalResult> {
  const pages: { site: SiteSpec; draft: DraftDocument; truth: string[] }[] = [];
  for (const page of sitePages(sites))
    pages.push({ site: page.site, draft: draftDocument(page.raw), truth: page.truth });
  const batch = await learnBatch(pages.map((p) => p.draft));
  const profiles = batch.profiles;
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
    const page = scorePage(draft, await batch.restore(draft), truth);
    score.inserted += page.inserted;
    score.deleted += page.deleted;
    score.correct += page.correct;
    if (site.words.length === 0 && page.inserted > 0) score.changedCleanPages++;
  }
  const all = [...scores.values()];
  return { sites: all, ...precisionRecall(all) };
}

/**
 * Each site in a batch of its own, as `finfaq normalize` runs on a dump of one site: only the
 * site's own pages are evidence, so much stays flagged; what is inserted must still be right.
 */
export async function evaluateEachSiteAlone(sites: SiteSpec[]): Promise<EvalResult> {
  const all: SiteScore[] = [];
  for (const site of sites) all.push(...(await evaluateRestoration([site])).sites);
  return { sites: all, ...precisionRecall(all) };
}

export function formatEachSiteAlone(result: EvalResult): string {
  const inserted = result.sites.reduce((n, s) => n + s.inserted, 0);
  const changed = result.sites.reduce((n, s) => n + s.changedCleanPages, 0);
  return `each site alone in its batch (a dump of one site): precision ${pct(result.precision)} (${inserted} words inserted), recall ${pct(result.recall)}; clean pages changed: ${changed}\n`;
}

export function formatEval(result: EvalResult): string {
  const rows = result.sites.map(
    (s) =>
      `${s.site.padEnd(16)} deletes ${s.deletes.padEnd(40)} learned ${s.learned.padEnd(20)} precision ${pct(ratio(s.correct, s.inserted)).padStart(6)} (${s.correct}/${s.inserted})  recall ${pct(ratio(s.correct, s.deleted)).padStart(6)} (${s.correct}/${s.deleted})${s.changedCleanPages ? `  CHANGED ${s.changedCleanPages} clean pages` : ''}`,
  );
  return `${rows.join('\n')}\noverall: precision ${pct(result.precision)}, recall ${pct(result.recall)}\n`;
}

export interface SeedsAmongSitesResult {
  /** Per seed: words inserted, those right, words the filter deleted. */
  seeds: { name: string; inserted: number; correct: number; deleted: number; flagged: boolean }[];
  /** Pages of the other sites whose text the restoration changed (they delete nothing). */
  changedOtherPages: number;
  otherPages: number;
  precision: number;
  recall: number;
}

/** Sentences of other sites that share this many characters in a row with a seed are left out. */
const SHARED_PHRASE = 8;

/**
 * The two seed pages in one batch with `sites` intact sites of `pages` generated articles each:
 * the seeds' source must be restored from what the batch shows, with intact text of sites that
 * write about the same things in their own words. Every sentence sharing a phrase of
 * `SHARED_PHRASE` characters with a seed is dropped, so that no other site is a copy of a seed
 * here whatever the generator's templates come to say.
 */
export async function evaluateSeedsAmongSites(
  sites: number,
  pages: number,
  firstArticle = 1000,
): Promise<SeedsAmongSitesResult> {
  const seedText = SEED_NAMES.flatMap((name) => expectedSeed(name).paragraphs_hans).join('\n');
  const sharesPhrase = (sentence: string) => {
    for (let i = 0; i + SHARED_PHRASE <= sentence.length; i++)
      if (seedText.includes(sentence.slice(i, i + SHARED_PHRASE))) return true;
    return false;
  };
  const seeds = SEED_NAMES.map((name) => ({
    name,
    draft: draftDocument({ url: pathToFileURL(seedPath(name)).href, body: seedBytes(name) }),
  }));
  const others: DraftDocument[] = [];
  for (let site = 0; site < sites; site++)
    for (let page = 0; page < pages; page++) {
      const article = generateArticle(firstArticle + site * 1000 + page);
      const paragraphs = article.paragraphs
        .map((p) => (p.match(/[^。？！]+[。？！]?/gu) ?? []).filter((x) => !sharesPhrase(x)).join(''))
        .filter((p) => p.length > 0);
      const draft = draftDocument({
        url: `https://intact-${site}.example/article/${page}.html`,
        text: [article.title, `${article.category} ${article.time}`, '', ...paragraphs].join('\n'),
      });
      others.push(draft);
    }
  const batch = await learnBatch([...seeds.map((s) => s.draft), ...others]);
  const scored = [];
  for (const { name, draft } of seeds) {
    const restored = await batch.restore(draft);
    scored.push({
      name,
      ...scorePage(draft, restored, expectedParagraphs(name, 'hans')),
      flagged: restored.flags.includes('possible-gap'),
    });
  }
  let changedOtherPages = 0;
  for (const d of others) if ((await batch.restore(d)) !== d) changedOtherPages++;
  return { seeds: scored, changedOtherPages, otherPages: others.length, ...precisionRecall(scored) };
}

export function formatSeedsAmongSites(result: SeedsAmongSitesResult, sites: number, pages: number): string {
  const rows = result.seeds.map(
    (s) =>
      `seed ${s.name}  inserted ${s.inserted}, right ${s.correct} of ${s.deleted} deleted${s.flagged ? ', gaps left flagged' : ''}`,
  );
  return `${rows.join('\n')}\nseeds among ${sites} intact sites × ${pages} pages: precision ${pct(result.precision)}, recall ${pct(result.recall)}; other sites' pages changed: ${result.changedOtherPages} of ${result.otherPages}\n`;
}
