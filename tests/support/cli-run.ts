/** The built `finfaq` binary run in a child process, as a user runs it (`npm test` builds first). */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CleanRecord } from '../../src/records/clean.js';

export const BIN = fileURLToPath(new URL('../../bin/finfaq.js', import.meta.url));

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `finfaq args`, with `stdin` on its standard input and `env` over this process's. */
export function runFinfaq(
  args: string[],
  options: { stdin?: Buffer | string; env?: NodeJS.ProcessEnv } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
    child.stdin.end(options.stdin ?? '');
  });
}

/** The records of a JSON Lines output. */
export function records(stdout: string): CleanRecord[] {
  return stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as CleanRecord);
}
