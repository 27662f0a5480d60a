/**
 * Every Redis key the pipeline writes beside BullMQ's, in one place, as BullMQ keeps its own
 * (`<prefix>:<queue>:<job id>`, `<prefix>:<queue>:wait`, …). Each is under the pipeline's prefix
 * (`FINFAQ_QUEUE_PREFIX`), so separate prefixes are separate pipelines on one Redis and a
 * pipeline's keys are found with one `SCAN MATCH <prefix>:*`; none starts with a queue's name and
 * a colon, so none can meet a key of BullMQ's.
 *
 * | key | type | holds |
 * | --- | --- | --- |
 * | `<prefix>:crawl-state:<source>` | hash | recrawl validators of each article page (`validators.ts`) |
 * | `<prefix>:crawl-lock:<source>` | string | the crawl job crawling the source (`crawl-worker.ts`) |
 * | `<prefix>:source-crawls` | hash | each source's last crawl (`admin.ts`) |
 * | `<prefix>:profile-samples:<source>` | hash | sampled drafts by id, packed (`profiles.ts`, `packed.ts`) |
 * | `<prefix>:profile-order:<source>` | sorted set | sampled ids by rank |
 * | `<prefix>:profile-pages:<source>` | string | pages of the source normalized |
 * | `<prefix>:profile-sources` | set | sources with samples |
 * | `<prefix>:run:<run>:<part>` | hash / string | a `finfaq run`'s tallies and marker (`runs.ts`) |
 *
 * Nothing else names a key: the modules take these functions (some under a local alias), BullMQ
 * names its own (`Queue#toKey`), and `tests/queue/pipeline.test.ts` checks that every key a run
 * leaves under its prefix is BullMQ's or has one of these shapes.
 */

/** The parts of a `finfaq run`'s record: crawl summaries, pages handed on, publishes, its marker. */
export type RunPart = 'crawl' | 'handed' | 'publish' | 'marker';

export const redisKeys = {
  crawlState: (prefix: string, source: string) => `${prefix}:crawl-state:${source}`,
  crawlLock: (prefix: string, source: string) => `${prefix}:crawl-lock:${source}`,
  sourceCrawls: (prefix: string) => `${prefix}:source-crawls`,
  profileSamples: (prefix: string, source: string) => `${prefix}:profile-samples:${source}`,
  profileOrder: (prefix: string, source: string) => `${prefix}:profile-order:${source}`,
  profilePages: (prefix: string, source: string) => `${prefix}:profile-pages:${source}`,
  profileSources: (prefix: string) => `${prefix}:profile-sources`,
  run: (prefix: string, run: string, part: RunPart) => `${prefix}:run:${run}:${part}`,
} as const;

/** Every key of a pipeline, BullMQ's included: the pattern that removes a pipeline. */
export function pipelinePattern(prefix: string): string {
  return `${prefix}:*`;
}
