/**
 * What a request is for, as a Crawlee router label: a start URL (list page or sitemap), a sitemap
 * from a sitemap index, a page fetched for its links (`follow` globs), or an article.
 */
export type PageLabel = 'start' | 'sitemap' | 'follow' | 'article';

/** A request's own data beside its label. */
export interface PageData extends Record<string, unknown> {
  /** Epoch ms before which a retry must not start (backoff). */
  notBefore?: number;
}
