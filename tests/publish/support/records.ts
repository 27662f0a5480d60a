/**
 * Clean records for the publish tests, made from generated articles (tests/support): the same
 * spec gives the same record in every process.
 */

import { contentHash, recordId } from '../../../src/normalize/record.js';
import { fromHans } from '../../../src/normalize/script/convert.js';
import type { CleanRecord } from '../../../src/records/clean.js';
import type { Repair } from '../../../src/records/repairs.js';
import type { Script } from '../../../src/records/scripts.js';
import { generateArticle, Rng } from '../../support/article-generator.js';
import { FILTER_POOL } from '../../support/filtered-sites.js';

export interface RecordSpec {
  seed: number;
  /** Host of the page (default `farm.example`). */
  site?: string;
  script?: Script;
  /** What a copying site did to the article. */
  edit?: 'none' | 'deleted-words' | 'dropped-paragraphs' | 'boilerplate' | 'truncated';
  /** Appended to the title: a new version of the same page. */
  titleSuffix?: string;
  /** Appended as a last paragraph: a new version with other content. */
  extraParagraph?: string;
  /** Path of the page (default `/article/SEED.html`). */
  path?: string;
}

function editParagraphs(paragraphs: string[], spec: RecordSpec): string[] {
  const rng = new Rng(spec.seed * 31 + 7);
  switch (spec.edit ?? 'none') {
    case 'none':
      return paragraphs;
    case 'deleted-words': {
      const words = rng.shuffle([...FILTER_POOL]).slice(0, 3);
      return paragraphs.map((p) => words.reduce((text, w) => text.split(w).join(''), p));
    }
    case 'dropped-paragraphs': {
      const out = [...paragraphs];
      for (let i = 0; i < 2 && out.length > 3; i++) out.splice(rng.int(1, out.length - 2), 1);
      return out;
    }
    case 'truncated':
      // A farm that shows the first part of an article and hides the rest behind "read more".
      return paragraphs.slice(0, Math.ceil(paragraphs.length * 0.6));
    case 'boilerplate':
      return [
        '本文来源于网络，如有侵权请联系删除。',
        ...paragraphs,
        '更多精彩内容请关注本站，每日更新贷款知识。',
      ];
  }
}

export function makeRecord(spec: RecordSpec): CleanRecord {
  const article = generateArticle(spec.seed);
  const site = spec.site ?? 'farm.example';
  const url = `https://${site}${spec.path ?? `/article/${spec.seed}.html`}`;
  const script = spec.script ?? 'hans';
  const hans = editParagraphs(article.paragraphs, spec);
  if (spec.extraParagraph) hans.push(spec.extraParagraph);
  const repairs: Repair[] = [
    { kind: 'punctuation', paragraph: 0, before: ',', after: '，', confidence: 1 },
    { kind: 'pinyin', paragraph: 1, before: '导(dǎo)', after: '导', confidence: 0.9 },
  ];
  return {
    id: recordId(url),
    url,
    source: site,
    title: fromHans(`${article.title}${spec.titleSuffix ?? ''}`, script),
    category: fromHans(article.category, script),
    published_at: article.publishedAt,
    script,
    paragraphs: hans.map((p) => fromHans(p, script)),
    repairs: spec.seed % 2 === 0 ? repairs : repairs.slice(0, 1),
    flags: [],
    unresolved: [],
    content_hash: contentHash(hans),
  };
}
