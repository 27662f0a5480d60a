/**
 * `npm run eval:deleted-words`: precision and recall of deleted-word restoration, on simulated
 * filtered sites, on the two seed pages among intact sites written in other words, and on each
 * simulated site alone in its batch.
 */
import {
  evaluateEachSiteAlone,
  evaluateRestoration,
  evaluateSeedsAmongSites,
  formatEachSiteAlone,
  formatEval,
  formatSeedsAmongSites,
} from '../tests/support/deleted-words-eval.js';
import { makeSites } from '../tests/support/filtered-sites.js';

const sites = makeSites(
  Number(process.env.SEED ?? 7),
  Number(process.env.SITES ?? 8),
  Number(process.env.PAGES ?? 30),
  process.env.COPIES === undefined ? undefined : Number(process.env.COPIES),
);
const started = performance.now();
const result = await evaluateRestoration(sites);
process.stdout.write(formatEval(result));
process.stdout.write(
  `(${sites.length} sites, ${sites.reduce((n, s) => n + s.pages, 0)} pages, ${((performance.now() - started) / 1000).toFixed(1)} s)\n`,
);

const intactSites = Number(process.env.INTACT_SITES ?? 8);
const intactPages = Number(process.env.INTACT_PAGES ?? 20);
process.stdout.write(
  `\n${formatSeedsAmongSites(await evaluateSeedsAmongSites(intactSites, intactPages, Number(process.env.SEED ?? 7) * 1000), intactSites, intactPages)}`,
);

process.stdout.write(`\n${formatEachSiteAlone(await evaluateEachSiteAlone(sites))}`);
