/**
 * The data of the overview's two charts, in Chart.js's shape: repairs by kind per source and record
 * versions published per hour or day per source (both stacked bars). `web/assets/charts.js` draws
 * them from a JSON block in the page.
 */

import type { PublishedBucket, SourceTotals } from '../publish/types.js';
import { REPAIR_KINDS } from '../records/repairs.js';

export interface ChartData {
  labels: string[];
  datasets: { label: string; data: number[] }[];
}

export function repairsBySource(totals: readonly SourceTotals[]): ChartData {
  const labels = totals.map((t) => t.source);
  const kinds = REPAIR_KINDS.filter((kind) => totals.some((t) => (t.repairs[kind] ?? 0) > 0));
  return {
    labels,
    datasets: kinds.map((kind) => ({ label: kind, data: totals.map((t) => t.repairs[kind] ?? 0) })),
  };
}

export function publishedOverTime(buckets: readonly PublishedBucket[], size: 'hour' | 'day'): ChartData {
  const labels = [...new Set(buckets.map((b) => b.bucket))].sort();
  const sources = [...new Set(buckets.map((b) => b.source))].sort();
  const count = new Map(buckets.map((b) => [`${b.source}\u0000${b.bucket}`, b.versions]));
  // `2026-11-23T18:00:00.000Z` → `2026-11-23 18:00` (UTC), or the day alone for day buckets.
  const label = (bucket: string) =>
    size === 'day' ? bucket.slice(0, 10) : bucket.slice(0, 16).replace('T', ' ');
  return {
    labels: labels.map(label),
    datasets: sources.map((source) => ({
      label: source,
      data: labels.map((bucket) => count.get(`${source}\u0000${bucket}`) ?? 0),
    })),
  };
}

/**
 * JSON that is safe inside `<script type="application/json">`: no `<`, `>` or `&` (so crawled text
 * cannot close the element) and no line separators.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
