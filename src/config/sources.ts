/**
 * The sources file (CONTRACT.md, "Sources file"): YAML or JSON, validated at start-up. Unknown keys
 * and bad values are rejected with the key's path in the message (`sources[1].per_minute: …`);
 * defaults come from `defaults.ts` and are applied here, so the rest of the program reads a
 * complete, typed `SourcesConfig`.
 *
 * @example
 * const config = await loadSourcesFile('sources.yaml');
 * config.sources[0].per_minute // → 60 unless the file says otherwise
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { load } from 'cheerio';
import picomatch from 'picomatch';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { normalizeCharsetLabel } from '../normalize/index.js';
import { SCRIPTS } from '../records/scripts.js';
import { CONFIG_DEFAULTS } from './defaults.js';

/** A bad sources file: `problems` are `path: message` lines, the first one is in `message`. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(
      `${file}: ${problems[0] ?? 'invalid'}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`,
    );
    this.name = 'ConfigError';
  }
}

/** Whether `check` returns without throwing: how a glob, a CSS selector or a time zone is tested. */
function succeeds(check: () => unknown): boolean {
  try {
    check();
    return true;
  } catch {
    return false;
  }
}

const httpUrl = z.string().refine(
  (value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
    } catch {
      return false;
    }
  },
  { message: 'expected an http:// or https:// URL' },
);

/** A glob over the URL's path (`/list/**`), or over the whole URL when it starts with a scheme. */
const glob = z
  .string()
  .min(1)
  .refine((value) => value.startsWith('/') || /^https?:\/\//.test(value), {
    message: 'expected a path glob starting with "/" or a URL glob starting with http(s)://',
  })
  .refine((value) => succeeds(() => picomatch.makeRe(value)), { message: 'not a valid glob' });

const cssSelector = z
  .string()
  .min(1)
  .refine((value) => succeeds(() => load('<p></p>')(value)), { message: 'not a valid CSS selector' });

const charsetLabel = z.string().refine((value) => normalizeCharsetLabel(value) !== undefined, {
  message: 'unknown charset (e.g. gbk, gb18030, big5, utf-8)',
});

const timeZone = z
  .string()
  .refine((value) => succeeds(() => new Intl.DateTimeFormat('en', { timeZone: value })), {
    message: 'unknown time zone (an IANA name such as Asia/Shanghai)',
  });

const CRON_FIELDS: { name: string; min: number; max: number; names?: string[] }[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
  },
  { name: 'day of week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

/**
 * Why a five-field cron expression is invalid, or undefined when it is valid.
 *
 * @example
 * cronProblem('0 *\/6 * * *') // → undefined
 * cronProblem('0 25 * * *')  // → 'hour: 25 is out of range 0-23'
 */
export function cronProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) return `expected 5 fields (minute hour day month weekday), got ${fields.length}`;
  for (const [i, field] of fields.entries()) {
    const spec = CRON_FIELDS[i] as (typeof CRON_FIELDS)[number];
    const value = (token: string): number | undefined => {
      const named = spec.names?.indexOf(token.toLowerCase()) ?? -1;
      if (named >= 0) return named + (spec.min === 1 ? 1 : 0);
      return /^\d+$/.test(token) ? Number(token) : undefined;
    };
    for (const part of (field as string).split(',')) {
      const m = /^(\*|[^/-]+(?:-[^/-]+)?)(?:\/(\d+))?$/.exec(part);
      if (!m) return `${spec.name}: cannot read "${part}"`;
      const [, range = '', step] = m;
      if (step !== undefined && Number(step) === 0) return `${spec.name}: step 0 in "${part}"`;
      if (range === '*') continue;
      for (const token of range.split('-')) {
        const n = value(token);
        if (n === undefined) return `${spec.name}: cannot read "${token}"`;
        if (n < spec.min || n > spec.max) return `${spec.name}: ${n} is out of range ${spec.min}-${spec.max}`;
      }
    }
  }
  return undefined;
}

const cron = z.string().superRefine((value, ctx) => {
  const problem = cronProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: `not a cron expression (${problem})` });
});

const selectorsSchema = z.strictObject({
  title: cssSelector.optional(),
  body: cssSelector.optional(),
  category: cssSelector.optional(),
  time: cssSelector.optional(),
});

const NAME = /^[a-z0-9][a-z0-9._-]*$/;
const { crawl: CRAWL, source: SOURCE, output: OUTPUT } = CONFIG_DEFAULTS;

const sourceSchema = z.strictObject({
  name: z.string().regex(NAME, { message: 'expected lower-case letters, digits, ".", "_" or "-"' }),
  start_urls: z.array(httpUrl).min(1, { message: 'expected at least one URL' }),
  follow: z.array(glob).default([...SOURCE.follow]),
  articles: z.array(glob).min(1, { message: 'expected at least one glob' }),
  schedule: cron.default(SOURCE.schedule),
  tz: timeZone.default(SOURCE.tz),
  max_pages: z.number().int().min(1).default(SOURCE.max_pages),
  per_minute: z.number().min(0.01).max(1_000_000).default(SOURCE.per_minute),
  charset: charsetLabel.optional(),
  selectors: selectorsSchema.optional(),
});

const crawlSchema = z.strictObject({
  allow_private_networks: z.boolean().default(CRAWL.allow_private_networks),
  user_agent: z.string().min(1).default(CRAWL.user_agent),
  timeout_secs: z.number().positive().max(600).default(CRAWL.timeout_secs),
  retries: z.number().int().min(0).max(10).default(CRAWL.retries),
  retry_backoff_secs: z.number().min(0).max(600).default(CRAWL.retry_backoff_secs),
  max_body_bytes: z.number().int().min(1024).default(CRAWL.max_body_bytes),
  max_redirects: z.number().int().min(0).max(20).default(CRAWL.max_redirects),
  concurrency: z.number().int().min(1).max(64).default(CRAWL.concurrency),
});

export const sourcesFileSchema = z
  .strictObject({
    output: z.strictObject({ script: z.enum(SCRIPTS).default(OUTPUT.script) }).prefault({}),
    crawl: crawlSchema.prefault({}),
    sources: z.array(sourceSchema),
  })
  .superRefine((file, ctx) => {
    const seen = new Map<string, number>();
    file.sources.forEach((source, i) => {
      const first = seen.get(source.name);
      if (first !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['sources', i, 'name'],
          message: `duplicate source name "${source.name}" (also sources[${first}])`,
        });
      else seen.set(source.name, i);
    });
  });

export type SourcesConfig = z.infer<typeof sourcesFileSchema>;
export type SourceConfig = SourcesConfig['sources'][number];
export type CrawlSettings = SourcesConfig['crawl'];
export type SelectorsConfig = NonNullable<SourceConfig['selectors']>;

/** `sources[1].start_urls[0]` from zod's path. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `${out ? '.' : ''}${String(key)}`;
  return out;
}

/** Every problem of a parsed file as `path: message` lines; unknown keys one line each. */
function problemsOf(error: z.ZodError): string[] {
  const lines: string[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) lines.push(`${formatPath([...issue.path, key])}: unknown key`);
      continue;
    }
    const where = formatPath(issue.path);
    let message = issue.message;
    if (issue.code === 'invalid_type' && / received undefined$/.test(message)) message = 'required';
    else message = message.replace(/^Invalid input: /, '');
    lines.push(`${where || '(top level)'}: ${message}`);
  }
  return lines;
}

/**
 * Validates an already-parsed sources file and applies the defaults. Throws a `ConfigError`
 * naming every bad key; `file` only labels the messages.
 */
export function parseSourcesConfig(value: unknown, file = 'sources file'): SourcesConfig {
  const parsed = sourcesFileSchema.safeParse(value);
  if (!parsed.success) throw new ConfigError(file, problemsOf(parsed.error));
  return parsed.data;
}

/** Parses YAML (or JSON, by extension `.json`) text; throws a `ConfigError` with a line number. */
export function parseSourcesText(text: string, file = 'sources file'): SourcesConfig {
  let value: unknown;
  if (extname(file).toLowerCase() === '.json') {
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new ConfigError(file, [`not JSON: ${(error as Error).message}`]);
    }
  } else {
    const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
    const first = doc.errors[0];
    if (first) {
      const line = first.linePos?.[0];
      const where = line ? `line ${line.line}, column ${line.col}` : 'YAML';
      const message = (first.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
      throw new ConfigError(file, [`${where}: ${message}`]);
    }
    value = doc.toJS();
  }
  if (value === null || value === undefined) throw new ConfigError(file, ['(top level): the file is empty']);
  return parseSourcesConfig(value, file);
}

/** Reads and validates a sources file. Throws a `ConfigError` for an unreadable or invalid file. */
export async function loadSourcesFile(path: string): Promise<SourcesConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    const reason = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'is a directory' : e.message;
    throw new ConfigError(path, [`cannot read: ${reason}`]);
  }
  return parseSourcesText(text, path);
}
