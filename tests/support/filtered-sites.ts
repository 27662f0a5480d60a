/**
 * Simulated content-farm sites whose word filter deletes the same words on every page
 * (FAULTS.md §3), for measuring deleted-word restoration. Each site has a profile of 2–5 words
 * (some leave a space, some do not, some mask the word with stars, some are single characters
 * such as the 题 of 问题); some
 * sites delete nothing. Pages are generated articles, so their clean text is the truth.
 */

import { fromHans } from '../../src/normalize/script/convert.js';
import type { RawDocument } from '../../src/records/raw.js';
import { generateArticle, Rng } from './article-generator.js';

/** What the filter leaves where a word was: a space (always, never, sometimes), or stars. */
export type SpacePolicy = 'always' | 'never' | 'sometimes' | 'stars';

export interface FilteredWord {
  /** What the filter removes (Simplified); `题` alone takes the 题 out of 问题. */
  word: string;
  space: SpacePolicy;
}

export interface SiteSpec {
  name: string;
  script: 'hans' | 'tw';
  words: FilteredWord[];
  pages: number;
  seed: number;
  /** Pages that are copies of another site's article (content farms copy each other): page → article seed. */
  copies?: Record<number, number>;
}

/** Words such filters delete: contact channels and sensitive loan vocabulary, and a lone character. */
export const FILTER_POOL = [
  '电话',
  '短信',
  '客服',
  '催收',
  '征信',
  '贷款',
  '逾期',
  '借款',
  '利息',
  '同时',
  '题',
  '手续费',
];

const HAN = /\p{Script=Han}/u;

/** Share of a site's pages that copy an article of another site, by default. */
export const COPY_SHARE = 0.2;

const articleSeed = (site: SiteSpec, index: number) => site.seed * 1000 + index;

export function makeSites(seed: number, count: number, pages = 30, copyShare = COPY_SHARE): SiteSpec[] {
  const rng = new Rng(seed);
  const sites: SiteSpec[] = [];
  for (let i = 0; i < count; i++) {
    // Every fourth site deletes nothing: its pages must come out unchanged.
    const size = i % 4 === 3 ? 0 : rng.int(2, 5);
    const words = rng
      .shuffle([...FILTER_POOL])
      .slice(0, size)
      .map((word) => ({ word, space: rng.pick(['always', 'never', 'sometimes'] as const) }));
    sites.push({
      name: `farm${i}.example`,
      script: rng.chance(0.5) ? 'hans' : 'tw',
      words,
      pages,
      seed: seed * 100 + i,
    });
  }
  // Copies are drawn apart, so that the sites and their filters stay what they were without them.
  const copying = new Rng(seed * 7_777 + 1);
  for (const site of sites) {
    const others = sites.filter((s) => s !== site);
    for (let index = 0; index < site.pages && others.length > 0; index++) {
      if (!copying.chance(copyShare)) continue;
      const from = copying.pick(others);
      site.copies ??= {};
      site.copies[index] = articleSeed(from, copying.int(0, from.pages - 1));
    }
  }
  return sites;
}

/** Deletes the site's words from one line, leaving spaces as its policy says. */
function filterLine(line: string, words: FilteredWord[], rng: Rng): string {
  let out = line;
  for (const { word, space } of words) {
    const parts = out.split(word);
    if (parts.length === 1) continue;
    let joined = parts[0] as string;
    for (let k = 1; k < parts.length; k++) {
      const next = parts[k] as string;
      // Stars, one a character of the word, wherever the word was: `风险**工具`, and an ad-wording
      // filter's single character, `*终结果` (real pages mask 最 so).
      if (space === 'stars') {
        joined += '*'.repeat([...word].length) + next;
        continue;
      }
      const leave =
        space === 'always' || (space === 'sometimes' && rng.chance(0.5))
          ? HAN.test(joined.slice(-1)) && HAN.test(next.slice(0, 1))
          : false;
      joined += (leave ? ' ' : '') + next;
    }
    out = joined;
  }
  return out;
}

export interface SitePage {
  raw: RawDocument;
  /** The clean body, Simplified. */
  truth: string[];
}

export function renderPage(site: SiteSpec, index: number): SitePage {
  const article = generateArticle(site.copies?.[index] ?? articleSeed(site, index));
  const rng = new Rng(site.seed * 7919 + index);
  const show = (line: string) => fromHans(filterLine(line, site.words, rng), site.script);
  const lines = [
    show(article.title),
    `${show(article.category)} ${article.time}`,
    '',
    ...article.paragraphs.map(show),
  ];
  return {
    raw: {
      url: `https://${site.name}/article/${index}.html`,
      text: lines.join('\n'),
      contentType: 'text/plain',
    },
    truth: article.paragraphs,
  };
}

export function* sitePages(sites: SiteSpec[]): Generator<SitePage & { site: SiteSpec }> {
  for (const site of sites) for (let i = 0; i < site.pages; i++) yield { ...renderPage(site, i), site };
}

/** Where `to` has text that `from` lacks: [offset in `from`, inserted text] (LCS over characters). */
export function insertionsBetween(from: string, to: string): [number, string][] {
  const a = [...from];
  const b = [...to];
  const n = a.length;
  const m = b.length;
  const lcs: Uint16Array[] = Array.from({ length: n + 1 }, () => new Uint16Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      (lcs[i] as Uint16Array)[j] =
        a[i] === b[j]
          ? ((lcs[i + 1] as Uint16Array)[j + 1] as number) + 1
          : Math.max((lcs[i + 1] as Uint16Array)[j] as number, (lcs[i] as Uint16Array)[j + 1] as number);
  const inserted: [number, string][] = [];
  let i = 0;
  let j = 0;
  let pending = '';
  const flush = () => {
    if (pending) inserted.push([i, pending]);
    pending = '';
  };
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      flush();
      i++;
      j++;
    } else if (
      j < m &&
      (i >= n || ((lcs[i] as Uint16Array)[j + 1] as number) >= ((lcs[i + 1] as Uint16Array)[j] as number))
    ) {
      pending += b[j];
      j++;
    } else {
      flush();
      i++;
    }
  }
  flush();
  return inserted;
}
