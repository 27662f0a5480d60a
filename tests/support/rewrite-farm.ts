/**
 * A content farm next to the fixture web that republishes other sites' articles lightly
 * rewritten (`rewriteArticle`), with faults of its own (so the normalizer's repairs differ from
 * the original page's), and publishes near-topic articles of its own (same product, institution
 * and title template as an article elsewhere, but a different article). One real `node:http`
 * server on 127.0.0.1, UTF-8 pages in the fixture web's templates; all text is generated.
 *
 *   const farm = await startRewriteFarm([{ seed: 10001 }, { seed: 15001 }]);
 *   farm.pages   // [{ url, kind: 'rewrite', of: 10001, strength: 0.3, script: 'hans' }, { kind: 'near-topic', … }, …]
 *   await farm.close();
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Article, generateArticle } from './article-generator.js';
import { type FaultKind, injectFaults, type PageScript, toScript } from './fault-injector.js';
import { renderArticlePage, type TemplateName } from './html-templates.js';
import { nearTopicSeeds, rewriteArticle } from './rewrite-generator.js';

export interface FarmPage {
  url: string;
  /** `rewrite`: a rewrite of article `of`; `near-topic`: article `seed`, on `of`'s topic. */
  kind: 'rewrite' | 'near-topic';
  of: number;
  /** The article the page shows: `of` for a rewrite, its own seed for a near-topic article. */
  seed: number;
  strength: number;
  script: PageScript;
}

export interface RewriteFarm {
  origin: string;
  pages: FarmPage[];
  close(): Promise<void>;
}

/** Rewrite strengths, in turn: light to heavy (Jaccard after repair ~0.75 down to ~0.45). */
const STRENGTHS = [0.25, 0.4, 0.55, 0.7] as const;
const TEMPLATES: readonly TemplateName[] = ['portal', 'farm-table'];
/** Faults the farm's pages carry, in turn: other faults than the original site's, other repairs. */
const FAULTS: readonly (readonly FaultKind[])[] = [
  ['pinyin', 'ascii-punctuation'],
  ['gbk-tail'],
  ['half-converted', 'ascii-punctuation'],
  ['pinyin', 'gbk-tail'],
];

function renderPage(article: Article, index: number, script: PageScript): Buffer {
  const faulty = injectFaults(article, {
    seed: article.seed * 17 + index,
    faults: FAULTS[index % FAULTS.length] ?? [],
    script,
    format: 'text',
  });
  const paragraphs = faulty.text.split(/\n+/).map((line) => line.trim());
  const html = renderArticlePage(
    {
      title: toScript(article.title, script),
      category: toScript(article.category, script),
      publishedAt: article.time,
      paragraphs,
      headingIndexes: article.kinds.flatMap((kind, i) => (kind === 'paragraph' ? [] : [i])),
    },
    TEMPLATES[index % TEMPLATES.length] as TemplateName,
    { charsetMeta: 'utf-8' },
  );
  return Buffer.from(html, 'utf8');
}

/**
 * Serves a rewrite of each of `articles`, and a near-topic article for every other one. The
 * `index`-th page gets the `index`-th strength, template and faults, in turn; odd rewrites are in
 * Traditional (Taiwan).
 */
export async function startRewriteFarm(articles: readonly { seed: number }[]): Promise<RewriteFarm> {
  const bodies = new Map<string, Buffer>();
  const server = http.createServer((req, res) => {
    const body = bodies.get(req.url ?? '');
    res.writeHead(body ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    res.end(body ?? '<html><body>404</body></html>');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const pages: FarmPage[] = [];
  const taken = new Set(articles.map((a) => a.seed));
  articles.forEach(({ seed }, index) => {
    const original = generateArticle(seed);
    const strength = STRENGTHS[index % STRENGTHS.length] as number;
    const script: PageScript = index % 2 ? 'tw' : 'hans';
    const rewrite = rewriteArticle(original, { seed: index, strength });
    const path = `/r/${seed}.html`;
    bodies.set(path, renderPage({ ...original, paragraphs: rewrite.paragraphs }, index, script));
    pages.push({ url: origin + path, kind: 'rewrite', of: seed, seed, strength, script });
    if (index % 2) return;
    const other = nearTopicSeeds(seed, 3).find((s) => !taken.has(s));
    if (other === undefined) return;
    taken.add(other);
    const near = `/n/${other}.html`;
    bodies.set(near, renderPage(generateArticle(other), index + 1, 'hans'));
    pages.push({
      url: origin + near,
      kind: 'near-topic',
      of: seed,
      seed: other,
      strength: 0,
      script: 'hans',
    });
  });
  return {
    origin,
    pages,
    close: async () => {
      server.close();
      server.closeAllConnections();
      await once(server, 'close');
    },
  };
}
