/**
 * `finfaq normalize` as a user runs it: the built binary in a child process, real files, stdin.
 * (`npm test` builds first.)
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { records, runFinfaq } from './support/cli-run.js';
import {
  expectedAfterRestoration,
  expectedSeed,
  expectedWithoutDeletedWords,
  SEED_NAMES,
  seedBytes,
  seedPath,
} from './support/seeds.js';

const work = mkdtempSync(join(tmpdir(), 'finfaq-cli-'));

const finfaq = (args: string[], stdin?: Buffer | string) => runFinfaq(args, { stdin });

afterAll(() => {
  execFile('rm', ['-rf', work]);
});

describe('finfaq normalize', () => {
  it('prints the two expected seed records in input order, deleted words restored', async () => {
    const run = await finfaq(['normalize', ...SEED_NAMES.map(seedPath), '--to', 'hans']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = records(run.stdout);
    expect(out.map((r) => r.paragraphs)).toEqual(SEED_NAMES.map((n) => expectedAfterRestoration(n, 'hans')));
    expect(out.map((r) => r.title)).toEqual(SEED_NAMES.map((n) => expectedSeed(n).title));
    expect(out.map((r) => r.published_at)).toEqual(SEED_NAMES.map((n) => expectedSeed(n).published_at));
  });

  it('reads folders, .html and .jsonl, and writes to -o FILE', async () => {
    const folder = join(work, 'dump');
    execFile('mkdir', ['-p', folder]);
    await new Promise((r) => setTimeout(r, 50));
    writeFileSync(join(folder, 'a.txt'), seedBytes(SEED_NAMES[0]));
    writeFileSync(
      join(folder, 'b.html'),
      '<html><head><meta charset="utf-8"><title>信用卡逾期怎么办</title></head><body><article><h1>信用卡逾期怎么办</h1><p>逾期之后,应主动联系银行协商还款。</p></article></body></html>',
    );
    const raw = { url: 'https://example.cn/article/1.html', text: '还款日期是每月10日,请按时还款。' };
    writeFileSync(join(folder, 'c.jsonl'), `${JSON.stringify(raw)}\n`);
    writeFileSync(join(folder, 'ignored.bin'), 'not a document');
    const output = join(work, 'out.jsonl');
    const run = await finfaq(['normalize', folder, '-o', output]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    const out = records(readFileSync(output, 'utf8'));
    expect(out).toHaveLength(3);
    expect(out[1]?.title).toBe('信用卡逾期怎么办');
    expect(out[1]?.paragraphs).toEqual(['逾期之后，应主动联系银行协商还款。']);
    expect(out[2]?.url).toBe(raw.url);
    expect(out[2]?.source).toBe('example.cn');
    expect(out[2]?.paragraphs).toEqual(['还款日期是每月10日，请按时还款。']);
  });

  it("keeps a Taiwan page's own characters in its own script, and converts them when asked", async () => {
    const paragraph = '申請信用卡之前，最好先瞭解銀行的審核標準，好處是只需準備一次資料。';
    const raw = { url: 'https://bank.example.tw/faq/9.html', text: `為什麼辦卡之前要看這裡\n${paragraph}` };
    const file = join(work, 'taiwan.jsonl');
    writeFileSync(file, `${JSON.stringify(raw)}\n`);
    const own = records((await finfaq(['normalize', file])).stdout);
    expect(own[0]?.script).toBe('tw');
    expect(own[0]?.paragraphs).toEqual([paragraph]);
    const hans = records((await finfaq(['normalize', file, '--to', 'hans'])).stdout);
    expect(hans[0]?.paragraphs).toEqual([
      '申请信用卡之前，最好先了解银行的审核标准，好处是只需准备一次资料。',
    ]);
  });

  it('reports a broken .jsonl line with its number and processes the others', async () => {
    const file = join(work, 'broken.jsonl');
    const good = (n: number) => JSON.stringify({ url: `https://example.cn/${n}`, text: `第${n}条,内容。` });
    writeFileSync(
      file,
      [good(1), '{"url": "https://example.cn/2", "text": ', good(3), '{"html": "<p>x</p>"}', good(5)].join(
        '\n',
      ),
    );
    const run = await finfaq(['normalize', file]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`${file}:2: not JSON`);
    expect(run.stderr).toContain(`${file}:4: not a raw record (url:`);
    expect(records(run.stdout).map((r) => r.url)).toEqual([1, 3, 5].map((n) => `https://example.cn/${n}`));
  });

  it('names an unreadable path, goes on with the rest and exits non-zero', async () => {
    const locked = join(work, 'locked.txt');
    writeFileSync(locked, '内容');
    chmodSync(locked, 0o000);
    const missing = join(work, 'missing.txt');
    const run = await finfaq(['normalize', missing, seedPath(SEED_NAMES[1])]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toBe(`finfaq: ${missing}: no such file or directory\n`);
    expect(records(run.stdout)).toHaveLength(1);
  });

  it('rejects a bad --to with a one-line reason', async () => {
    const run = await finfaq(['normalize', '--to', 'klingon', seedPath(SEED_NAMES[0])]);
    expect(run.code).not.toBe(0);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('hans, hant, tw, hk');
    expect(run.stdout).toBe('');
  });

  it('prints the learned deleted words with --report', async () => {
    const run = await finfaq(['normalize', ...SEED_NAMES.map(seedPath), '--report']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/source contact:15070879527 \(2 documents\): 2 deleted words/);
    expect(run.stderr).toMatch(/^ {2}电话\tmarked gaps [1-9]/m);
    expect(run.stderr).toMatch(/^ {2}题\t/m);
  });

  it('reads one document from standard input, or JSON Lines', async () => {
    const text = await finfaq(['normalize', '--to', 'tw'], seedBytes(SEED_NAMES[1]));
    expect(text.code).toBe(0);
    expect(records(text.stdout)[0]?.paragraphs).toEqual(expectedWithoutDeletedWords(SEED_NAMES[1], 'tw'));
    const lines = await finfaq(
      ['normalize'],
      `${JSON.stringify({ url: 'https://a.cn/1', text: '你好,世界' })}\n`,
    );
    expect(records(lines.stdout).map((r) => r.paragraphs)).toEqual([['你好，世界']]);
  });

  it('survives an empty file and binary garbage', async () => {
    const empty = join(work, 'empty.txt');
    writeFileSync(empty, '');
    const garbage = join(work, 'garbage.txt');
    const bytes = Buffer.alloc(64 * 1024);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
    writeFileSync(garbage, bytes);
    const run = await finfaq(['normalize', empty, garbage]);
    expect(run.code).toBe(0);
    const [emptyRecord, garbageRecord] = records(run.stdout);
    expect(emptyRecord?.paragraphs).toEqual([]);
    expect(emptyRecord?.flags).toContain('empty');
    expect(garbageRecord?.url).toMatch(/garbage\.txt$/);
  });

  it('normalizes a 50 MB file', async () => {
    const big = join(work, 'big.txt');
    const seed = seedBytes(SEED_NAMES[1]);
    const copies = Math.ceil((50 * 1024 * 1024) / seed.length);
    writeFileSync(big, Buffer.concat(Array.from({ length: copies }, () => seed)));
    const run = await finfaq(['normalize', big, '--to', 'hans']);
    expect(run.code).toBe(0);
    const [record] = records(run.stdout);
    const expected = expectedWithoutDeletedWords(SEED_NAMES[1], 'hans');
    expect(record?.paragraphs.slice(0, expected.length)).toEqual(expected);
  }, 300_000);
});
