/**
 * Rewrites of generated articles, as content farms make them when they copy a page and "edit" it
 * so it looks new, and near-topic articles that are not copies: what the dedupe must tell apart.
 *
 * A rewrite takes the article's sentences and, by a seeded random draw scaled by `strength`:
 * swaps words for synonyms, swaps neighbouring sentences, deletes sentences, inserts sentences of
 * its own, and leaves the traces a different repair would (a word a site filter deleted and the
 * normalizer could not restore, a leaked pinyin reading it did not remove). Headings stay. All
 * text here is written for this project.
 *
 *   rewriteArticle(generateArticle(7), { seed: 1, strength: 0.5 })
 *     → { paragraphs: [...], edits: { synonyms: 9, swaps: 3, deleted: 2, inserted: 2, residues: 2 } }
 *
 * Near-topic articles (`nearTopicSeeds`) are other generated articles on the same product, from
 * the same institution, led by the same theme: they share whole template sentences, headings and
 * the `小编` lead and summary, as different articles on one topic share vocabulary and phrases.
 */
import { pinyin } from 'pinyin-pro';
import { type Article, INSTITUTIONS, PRODUCTS, Rng, TITLES } from './article-generator.js';
import { FILTER_POOL } from './filtered-sites.js';

/** Word → a word a rewriter puts in its place (same meaning, different characters). */
// biome-ignore format: pairs read best packed
export const SYNONYMS: readonly (readonly [string, string])[] = [
  ['可以', '能够'], ['一般', '通常'], ['需要', '得'], ['如果', '假如'], ['用户', '客户'], ['比较', '较为'],
  ['建议', '推荐'], ['非常', '十分'], ['但是', '不过'], ['因为', '由于'], ['应当', '应该'], ['相关', '有关'],
  ['及时', '尽快'], ['很多', '不少'], ['之前', '以前'], ['以后', '之后'], ['或者', '或是'], ['认真', '仔细'],
  ['频繁', '经常'], ['立即', '马上'], ['不要', '别'], ['一定', '务必'], ['影响', '波及'], ['主动', '积极'],
  ['方便', '便捷'], ['所谓', '号称'], ['往往', '常常'], ['甚至', '乃至'], ['已经', '早已'], ['选择', '挑选'],
  ['查询', '查看'], ['联系', '联络'], ['问题', '难题'], ['情况', '状况'], ['提供', '给出'], ['发现', '察觉'],
];

/** Sentences a rewriter adds; `{P}` and `{B}` are the article's product and institution. */
export const INSERTED_SENTENCES = [
  '笔者身边就有朋友遇到过类似的情况，处理起来并不复杂。',
  '据不少网友反映，这种现象在近两年变得越来越普遍。',
  '关于{P}的这类疑问，网上众说纷纭，下面统一说明。',
  '根据{B}公开的说明，具体规则以合同约定为准。',
  '换句话说，只要按部就班地处理，就不必过于担心。',
  '这里再补充一点容易被忽略的细节。',
  '不少人在这一步栽过跟头，值得多花一点时间。',
  '从实际案例来看，提前规划的人往往损失更小。',
  '本段内容整理自读者的提问，仅供参考。',
  '有人会问，这样做到底有没有必要？答案是肯定的。',
] as const;

export interface RewriteOptions {
  seed: number;
  /** 0: the article unchanged; 1: about half its sentences touched. */
  strength: number;
}

export interface RewriteEdits {
  synonyms: number;
  swaps: number;
  deleted: number;
  inserted: number;
  /** Traces of a repair that went otherwise than on the original's page. */
  residues: number;
}

export interface Rewrite {
  paragraphs: string[];
  edits: RewriteEdits;
}

export interface Topic {
  product: string;
  institution: string;
  /** Index into `TITLES`: the title template, and so the theme the article leads with. */
  title: number;
}

/**
 * The product, institution and title template `generateArticle(seed)` draws first (the same
 * draws, in the same order; `topicOf` is checked against the article's title in the tests).
 */
export function topicOf(seed: number): Topic {
  const rng = new Rng(seed);
  const product = rng.pick(PRODUCTS);
  const institution = rng.pick(INSTITUTIONS);
  const title = TITLES.indexOf(rng.pick(TITLES));
  return { product, institution, title };
}

/** `count` seeds after `seed` whose articles have `seed`'s topic (product, institution, title). */
export function nearTopicSeeds(seed: number, count: number, limit = 2_000_000): number[] {
  const want = topicOf(seed);
  const out: number[] = [];
  for (let s = seed + 1; out.length < count && s < seed + limit; s++) {
    const t = topicOf(s);
    if (t.product === want.product && t.institution === want.institution && t.title === want.title)
      out.push(s);
  }
  return out;
}

/** Sentences of a paragraph, each with its closing punctuation. */
function sentencesOf(paragraph: string): string[] {
  return paragraph.match(/[^。！？]+[。！？]?/gu) ?? [];
}

function swapSynonyms(sentence: string, rng: Rng, p: number, edits: RewriteEdits): string {
  let out = sentence;
  for (const [word, other] of SYNONYMS) {
    const parts = out.split(word);
    out = parts[0] as string;
    for (const part of parts.slice(1)) {
      const swap = rng.chance(p);
      if (swap) edits.synonyms++;
      out += (swap ? other : word) + part;
    }
  }
  return out;
}

/** A trace of a repair that went otherwise: a filtered word left out, or a pinyin reading left in. */
function residue(sentence: string, rng: Rng, edits: RewriteEdits): string {
  const filtered = FILTER_POOL.filter((w) => w.length > 1 && sentence.includes(w));
  if (filtered.length > 0 && rng.chance(0.5)) {
    edits.residues++;
    return sentence.replace(rng.pick(filtered), '');
  }
  const han = [...sentence].flatMap((ch, i) => (/\p{Script=Han}/u.test(ch) ? [i] : []));
  if (han.length === 0) return sentence;
  const chars = [...sentence];
  const at = rng.pick(han);
  edits.residues++;
  chars.splice(at + 1, 0, pinyin(chars[at] as string, { toneType: 'none' }));
  return chars.join('');
}

/** A rewrite of `article` (its Simplified body); headings and the article's order of sections stay. */
export function rewriteArticle(article: Article, options: RewriteOptions): Rewrite {
  const rng = new Rng(options.seed ^ Math.imul(article.seed, 0x9e3779b1));
  const s = Math.max(0, Math.min(1, options.strength));
  const edits: RewriteEdits = { synonyms: 0, swaps: 0, deleted: 0, inserted: 0, residues: 0 };
  const topic = topicOf(article.seed);
  const fillTopic = (t: string) => t.replaceAll('{P}', topic.product).replaceAll('{B}', topic.institution);
  const paragraphs: string[] = [];
  article.paragraphs.forEach((paragraph, i) => {
    if (article.kinds[i] !== 'paragraph') {
      paragraphs.push(paragraph);
      return;
    }
    const all = sentencesOf(paragraph);
    // Deletions: never the paragraph's last sentence, so no paragraph goes.
    let sentences = all.filter((_, k) => {
      const deleted = k < all.length - 1 && rng.chance(s * 0.3);
      if (deleted) edits.deleted++;
      return !deleted;
    });
    for (let k = 0; k + 1 < sentences.length; k++)
      if (rng.chance(s * 0.5)) {
        [sentences[k], sentences[k + 1]] = [sentences[k + 1] as string, sentences[k] as string];
        edits.swaps++;
        k++;
      }
    sentences = sentences.map((sentence) => {
      let out = swapSynonyms(sentence, rng, s * 0.8, edits);
      if (rng.chance(s * 0.15)) out = residue(out, rng, edits);
      return out;
    });
    if (rng.chance(s * 0.35)) {
      sentences.splice(rng.int(0, sentences.length), 0, fillTopic(rng.pick(INSERTED_SENTENCES)));
      edits.inserted++;
    }
    paragraphs.push(sentences.join(''));
  });
  return { paragraphs, edits };
}
