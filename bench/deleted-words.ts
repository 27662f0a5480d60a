/**
 * `npm run eval:deleted-words`: precision and recall of deleted-word restoration, on simulated
 * filtered sites and on the two seed pages among intact sites written in other words.
 */
import {
  evaluateEachSiteAlone,
  evaluateRestoration,
  evaluateSeedsAmongSites,
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
const result = evaluateRestoration(sites);
process.stdout.write(formatEval(result));
process.stdout.write(
  `(${sites.length} sites, ${sites.reduce((n, s) => n + s.pages, 0)} pages, ${((performance.now() - started) / 1000).toFixed(1)} s)\n`,
);

const intactSites = Number(process.env.INTACT_SITES ?? 8);
const intactPages = Number(process.env.INTACT_PAGES ?? 20);
process.stdout.write(
  `\n${formatSeedsAmongSites(evaluateSeedsAmongSites(intactSites, intactPages, Number(process.env.SEED ?? 7) * 1000), intactSites, intactPages)}`,
);

const alone = evaluateEachSiteAlone(sites);
const inserted = alone.sites.reduce((n, s) => n + s.inserted, 0);
const changed = alone.sites.reduce((n, s) => n + s.changedCleanPages, 0);
process.stdout.write(
  `\neach site alone in its batch (a dump of one site): precision ${(100 * alone.precision).toFixed(1)}% (${inserted} words inserted), recall ${(100 * alone.recall).toFixed(1)}%; clean pages changed: ${changed}\n`,
);
