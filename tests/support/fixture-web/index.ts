/**
 * A fixture web of generated Chinese finance-FAQ content farms, served over real HTTP on
 * 127.0.0.1, with its truth: which articles exist, which a crawl may not fetch, which URLs it
 * must report, and each article's served and clean text. See `sites.ts` for the sites and
 * `server.ts` for the servers; `score.ts` scores a crawl against the truth.
 */
export { encodeHtml } from './encode.js';
export { type ParagraphScore, sameText, scoreParagraphs } from './score.js';
export {
  type FixtureSite,
  type FixtureWeb,
  type FixtureWebOptions,
  type LoggedRequest,
  type SourcesConfigOptions,
  startFixtureWeb,
} from './server.js';
export {
  type ExpectedProblem,
  SITE_NAMES,
  SITES,
  type SiteName,
  type SiteSpec,
  type TruthArticle,
} from './sites.js';
