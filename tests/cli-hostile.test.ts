/**
 * `finfaq normalize` on folders that are partly broken, and stopped half-way: a broken symbolic
 * link and a subfolder it may not read are reported (where and why) and every other document is
 * processed; `-o FILE` appears only complete (a stopped run leaves FILE as it was and no temporary
 * file), and SIGTERM/SIGINT leave no temporary folder. Inputs are generated articles.
 *
 * Run as root, the command runs as `nobody` (uid 65534) so that a folder's permissions hold.
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { CleanRecord } from '../src/records/clean.js';
import { generateArticle } from './support/article-generator.js';

const BIN = fileURLToPath(new URL('../bin/finfaq.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'finfaq-cli-hostile-'));
chmodSync(work, 0o777);
const AS_UNPRIVILEGED = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** A folder only `finfaq` may write into (world-writable when it runs as nobody), with its own TMPDIR. */
function folder(name: string): { dir: string; tmp: string } {
  const dir = join(work, name);
  const tmp = join(work, `${name}-tmp`);
  for (const d of [dir, tmp]) {
    mkdirSync(d, { recursive: true });
    chmodSync(d, 0o777);
  }
  return { dir, tmp };
}

function articleText(seed: number): string {
  const article = generateArticle(seed);
  return [article.title, ...article.paragraphs].join('\n');
}

function writeArticle(path: string, seed: number): void {
  writeFileSync(path, articleText(seed));
  chmodSync(path, 0o644);
}

interface Started {
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  kill(signal: NodeJS.Signals): void;
}

function start(args: string[], tmp: string): Started {
  const child = spawn(process.execPath, [BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TMPDIR: tmp },
    ...AS_UNPRIVILEGED,
  });
  let stdout = '';
  let stderr = '';
  // Decoded as streams: a chunk may end inside a character.
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    stdout += d;
  });
  child.stderr.on('data', (d: string) => {
    stderr += d;
  });
  return {
    done: new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    }),
    kill: (signal) => child.kill(signal),
  };
}

function urls(jsonl: string): string[] {
  return jsonl
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => (JSON.parse(l) as CleanRecord).url.replace(/^.*\//, ''));
}

describe('finfaq normalize on a folder with bad entries', () => {
  it('reports a broken symbolic link and an unreadable subfolder, and processes every other file', async () => {
    const { dir, tmp } = folder('bad-entries');
    writeArticle(join(dir, 'a.txt'), 1);
    symlinkSync(join(dir, 'gone.txt'), join(dir, 'b-link.txt'));
    mkdirSync(join(dir, 'c-locked'));
    writeArticle(join(dir, 'c-locked', 'inside.txt'), 2);
    chmodSync(join(dir, 'c-locked'), 0o000);
    mkdirSync(join(dir, 'd-open'));
    chmodSync(join(dir, 'd-open'), 0o755);
    writeArticle(join(dir, 'd-open', 'e.txt'), 3);
    symlinkSync(join(dir, 'a.txt'), join(dir, 'f-link.txt'));
    writeArticle(join(dir, 'z.txt'), 4);
    try {
      const run = await start(['normalize', dir], tmp).done;
      expect(run.code).toBe(1);
      expect(urls(run.stdout)).toEqual(['a.txt', 'e.txt', 'f-link.txt', 'z.txt']);
      expect(run.stderr.trim().split('\n').sort()).toEqual(
        [
          `finfaq: ${join(dir, 'b-link.txt')}: broken symbolic link, skipped`,
          `finfaq: ${join(dir, 'c-locked')}: folder skipped: permission denied`,
        ].sort(),
      );
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      chmodSync(join(dir, 'c-locked'), 0o755);
    }
  });
});

describe('finfaq normalize -o FILE', () => {
  it('writes FILE whole at the end, through a temporary file', async () => {
    const { dir, tmp } = folder('output');
    for (let i = 0; i < 3; i++) writeArticle(join(dir, `${i}.txt`), 10 + i);
    const output = join(dir, 'out.jsonl');
    const run = await start(['normalize', dir, '-o', output], tmp).done;
    expect(run.code, run.stderr).toBe(0);
    expect(urls(readFileSync(output, 'utf8'))).toEqual(['0.txt', '1.txt', '2.txt']);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'stopped by %s: FILE keeps what it held, no temporary file or folder is left',
    async (signal) => {
      const { dir, tmp } = folder(`stopped-${signal}`);
      const inputs = join(dir, 'in');
      mkdirSync(inputs);
      chmodSync(inputs, 0o755);
      for (let i = 0; i < 400; i++) writeArticle(join(inputs, `${String(i).padStart(3, '0')}.txt`), 100 + i);
      const output = join(dir, 'out.jsonl');
      writeFileSync(output, 'earlier output\n');
      chmodSync(output, 0o666);
      const child = start(['normalize', inputs, '-o', output], tmp);
      // Once the spool folder exists the command is in its first pass.
      for (let i = 0; i < 600 && readdirSync(tmp).length === 0; i++)
        await new Promise((r) => setTimeout(r, 25));
      expect(readdirSync(tmp)).toHaveLength(1);
      child.kill(signal);
      const run = await child.done;
      expect(run.code, run.stderr).toBe(signal === 'SIGTERM' ? 143 : 130);
      expect(run.stderr).toContain(`finfaq: ${signal}: stopped, ${output} left as it was`);
      expect(readFileSync(output, 'utf8')).toBe('earlier output\n');
      expect(readdirSync(dir).sort()).toEqual(['in', 'out.jsonl']);
      expect(readdirSync(tmp)).toEqual([]);
    },
  );
});
