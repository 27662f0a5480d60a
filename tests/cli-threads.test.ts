import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { draftDocument, finalizeRecord } from '../src/normalize/pipeline.js';
import type { RawDocument } from '../src/records/raw.js';
import { generateArticle } from './support/article-generator.js';
import { records, runFinfaq } from './support/cli-run.js';
import { FAULT_KINDS, injectFaults } from './support/fault-injector.js';
import { makeSites, sitePages } from './support/filtered-sites.js';
import { randomBytes } from './support/hostile-pages.js';
import { learnBatch } from './support/learn-batch.js';

const work = mkdtempSync(join(tmpdir(), 'finfaq-cli-threads-'));

const finfaq = (args: string[], env: NodeJS.ProcessEnv = {}) => runFinfaq(args, { env });

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('finfaq normalize --threads', () => {
  const dumps = join(work, 'dumps');
  /** The documents as the command reads them: the JSON Lines file first, then the files by name. */
  const inputs: RawDocument[] = [];

  beforeAll(() => {
    mkdirSync(join(dumps, 'single'), { recursive: true });
    const farm = [...sitePages(makeSites(31, 4, 25))].map((page) => page.raw);
    writeFileSync(
      join(dumps, 'a-farm.jsonl'),
      farm
        .map((raw) => JSON.stringify({ url: raw.url, text: raw.text, content_type: raw.contentType }))
        .join('\n'),
    );
    inputs.push(...farm);
    for (let i = 0; i < 12; i++) {
      const doc = injectFaults(generateArticle(900 + i), {
        seed: 900 + i,
        faults: [...FAULT_KINDS],
        script: i % 2 === 0 ? 'tw' : 'hans',
      });
      const path = join(
        dumps,
        'single',
        `${String(i).padStart(2, '0')}.${doc.format === 'html' ? 'html' : 'txt'}`,
      );
      const body = doc.bytes ?? Buffer.from(doc.text);
      writeFileSync(path, body);
      inputs.push({
        url: pathToFileURL(path).href,
        body: Buffer.from(body),
        contentType: doc.format === 'html' ? 'text/html' : 'text/plain',
      });
    }
  });

  it('writes the same bytes with 1 and 3 threads, the same as the single-threaded batch', async () => {
    const one = await finfaq(['normalize', dumps, '--threads', '1', '--report']);
    const three = await finfaq(['normalize', dumps, '--threads', '3', '--report']);
    expect(one.code, one.stderr).toBe(0);
    expect(three.code, three.stderr).toBe(0);
    expect(three.stdout).toBe(one.stdout);
    // The profiles learned once and shared: the same report, with deleted words found.
    expect(three.stderr).toBe(one.stderr);
    expect(one.stderr).toMatch(/farm\d\.example \(25 documents\): [1-9]\d* deleted words/);

    const drafts = inputs.map((raw) => draftDocument(raw));
    const batch = await learnBatch(drafts);
    const expected: string[] = [];
    for (const draft of drafts) expected.push(JSON.stringify(finalizeRecord(await batch.restore(draft))));
    expect(records(one.stdout).map((r) => r.url)).toEqual(inputs.map((raw) => raw.url));
    expect(one.stdout).toBe(`${expected.join('\n')}\n`);
  }, 300_000);

  it('reports a document past its time budget and writes every other one', async () => {
    const dir = join(work, 'budget');
    mkdirSync(dir);
    for (const [name, seed] of [
      ['a.txt', 1],
      ['c.txt', 3],
    ] as const) {
      const article = generateArticle(seed);
      writeFileSync(join(dir, name), [article.title, ...article.paragraphs].join('\n'));
    }
    // Random bytes cost the most within a page's repair budget: about ten seconds here.
    writeFileSync(join(dir, 'b.txt'), randomBytes(4 * 1024 * 1024));
    const run = await finfaq(['normalize', dir, '--threads', '2'], { FINFAQ_NORMALIZE_TIMEOUT_MS: '1500' });
    expect(run.code).toBe(1);
    expect(records(run.stdout).map((r) => r.url.replace(/^.*\//, ''))).toEqual(['a.txt', 'c.txt']);
    expect(run.stderr.trim()).toBe(
      `finfaq: ${pathToFileURL(join(dir, 'b.txt')).href}: normalize failed: draft task exceeded its time budget of 1.5 s and was stopped`,
    );
  }, 120_000);

  it('rejects a thread count that is not a whole number of 1 or more', async () => {
    const run = await finfaq(['normalize', '--threads', '0', dumps]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/--threads.*expected a whole number of 1 or more/);
    expect(run.stdout).toBe('');
  });
});
