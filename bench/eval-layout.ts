/**
 * `npm run eval:layout`: boilerplate, title, time and category on the ten layout families of
 * tests/support/layouts.ts, as HTML pages and as text dumps; Mozilla's Readability (through
 * linkedom) on the same HTML as the baseline. `SITES`/`PAGES` set the sample (default 2 × 6 a
 * family); `VERBOSE=1` lists every miss.
 */
import { normalizeDocument } from '../src/normalize/index.js';
import {
  emptyScore,
  formatScore,
  type LayoutScore,
  readabilityExtract,
  scorePage,
} from '../tests/support/layout-eval.js';
import { LAYOUT_FAMILIES, type LayoutFamily, layoutPages } from '../tests/support/layouts.js';

const sites = Number(process.env.SITES ?? 2);
const perSite = Number(process.env.PAGES ?? 6);
const pages = layoutPages(sites, perSite);
const runs = {
  'finfaq, HTML': emptyScore(),
  'Readability, HTML': emptyScore(),
  'finfaq, text dump': emptyScore(),
};
const byFamily = new Map<LayoutFamily, Record<keyof typeof runs, LayoutScore>>();
for (const family of LAYOUT_FAMILIES)
  byFamily.set(family, {
    'finfaq, HTML': emptyScore(),
    'Readability, HTML': emptyScore(),
    'finfaq, text dump': emptyScore(),
  });
const started = performance.now();
const time = { finfaq: 0, readability: 0 };
for (const page of pages) {
  const family = byFamily.get(page.family) as Record<keyof typeof runs, LayoutScore>;
  let t = performance.now();
  const html = normalizeDocument({ url: page.url, html: page.html });
  time.finfaq += performance.now() - t;
  t = performance.now();
  const readability = readabilityExtract(page);
  time.readability += performance.now() - t;
  const dump = normalizeDocument({ url: page.url.replace('.html', '.txt'), text: page.dump });
  for (const scores of [runs, family]) {
    scorePage(scores['finfaq, HTML'], page, html);
    scorePage(scores['Readability, HTML'], page, readability);
    scorePage(scores['finfaq, text dump'], page, dump);
  }
}
console.log(`${pages.length} pages: ${LAYOUT_FAMILIES.length} families × ${sites} sites × ${perSite} pages`);
for (const [name, score] of Object.entries(runs)) console.log(formatScore(name, score));
console.log('\nby family (finfaq HTML | Readability HTML | finfaq dump):');
for (const [family, scores] of byFamily) {
  console.log(`  ${family}`);
  for (const [name, score] of Object.entries(scores)) console.log(`    ${formatScore(name, score)}`);
}
console.log(
  `\nHTML extraction time: finfaq's whole normalizer ${(time.finfaq / pages.length).toFixed(1)} ms a page, Readability ${(time.readability / pages.length).toFixed(1)} ms (ratio ${(time.finfaq / time.readability).toFixed(2)}); ${((performance.now() - started) / 1000).toFixed(1)} s in all`,
);
if (process.env.VERBOSE)
  for (const [name, score] of Object.entries(runs))
    for (const miss of score.misses) console.log(`${name}: ${miss}`);
