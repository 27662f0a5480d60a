/**
 * `npm run bench:hostile`: what the pathological pages of issue 16 cost the normalizer.
 *
 * Each page (`tests/support/hostile-pages.ts`) is made and normalized in a fresh child process
 * with a 1 GB heap (`tests/support/hostile-run.ts`), one at a time; the table gives the wall and
 * CPU time of `normalizeDocument` (models loaded beforehand), the child's peak resident memory
 * (its start-up, the models and the page itself included), and what the record holds.
 *
 *   npm run bench:hostile [-- SHAPE...]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const RUNS: [shape: string, size: number, what: string][] = [
  ['nested-divs', 10_000, '10,000 nested <div>s around an article'],
  ['unnested-divs', 10_000, 'the same bytes unnested'],
  ['nested-divs', 30_000, '30,000 nested <div>s'],
  ['unnested-divs', 30_000, 'the same bytes unnested'],
  ['nested-divs', 100_000, '100,000 nested <div>s'],
  ['unnested-divs', 100_000, 'the same bytes unnested'],
  ['formatting-bomb', 20_000, '20,000 unclosed distinct <b>s, then 20,000 <p>s'],
  ['dai-comma', 130_000, '贷, × 130,000 in one paragraph'],
  ['dai-spaces', 100_000, '贷␠␠ × 100,000'],
  ['question-marks', 500_000, '500,000 ? between Chinese'],
  ['random-bytes', 4_000_000, '4 MB of random bytes as .txt'],
  ['single-line', 50_000_000, 'a 50 MB single line of faulty text (.txt)'],
  ['single-line-html', 50_000_000, 'the same inside one <p>'],
  ['one-line-paragraphs', 10_000_000, '10 MB of <p>s on one line'],
];

const only = process.argv.slice(2);
console.log('| page | wall s | CPU s | peak RSS MB | paragraphs | repairs | flags |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const [shape, size, what] of RUNS) {
  if (only.length > 0 && !only.includes(shape)) continue;
  const child = spawnSync(
    process.execPath,
    ['--max-old-space-size=1024', '--import', 'tsx', 'tests/support/hostile-run.ts', shape, String(size)],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  if (child.status !== 0) {
    console.log(
      `| ${what} | failed (${child.status ?? child.signal}) | | | | | ${child.stderr.trim().split('\n').at(-1)} |`,
    );
    continue;
  }
  const cost = JSON.parse(child.stdout.trim().split('\n').at(-1) as string);
  console.log(
    `| ${what} | ${(cost.ms / 1000).toFixed(2)} | ${(cost.cpuMs / 1000).toFixed(2)} | ${cost.maxRssMb} | ` +
      `${cost.paragraphs} | ${cost.repairs} | ${cost.flags.join(', ')} |`,
  );
}
