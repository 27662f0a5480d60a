/**
 * `npm run eval:mojibake`: the mojibake engine on generated pages (FAULTS.md §2, §7, §9).
 *
 *   PAGES=400 WHOLE=60 SEED=5000 npm run eval:mojibake
 *
 * Prints: garbled paragraphs exactly right / listed in `unresolved` / silent; clean paragraphs
 * untouched; the calibration of the repairs' confidences; whole documents read with the wrong
 * charset brought back exactly; ftfy's negative cases changed (must be none).
 */
import { fileURLToPath } from 'node:url';
import {
  damagedNegatives,
  evaluateRuns,
  evaluateWholeDocuments,
  formatRunEval,
  formatWholeEval,
} from '../tests/support/mojibake-eval.js';

const pages = Number(process.env.PAGES ?? 400);
const whole = Number(process.env.WHOLE ?? 60);
const seed = Number(process.env.SEED ?? 5000);

let started = performance.now();
process.stdout.write(`shifted GBK runs, ${pages} generated pages (seed ${seed}):\n`);
process.stdout.write(formatRunEval(evaluateRuns(pages, seed)));
process.stdout.write(`(${((performance.now() - started) / 1000).toFixed(1)} s)\n\n`);

started = performance.now();
process.stdout.write(`whole documents read with the wrong charset, ${whole} each:\n`);
process.stdout.write(formatWholeEval(evaluateWholeDocuments(whole, seed + 4000)));
process.stdout.write(`(${((performance.now() - started) / 1000).toFixed(1)} s)\n\n`);

const negatives = fileURLToPath(new URL('../../shared/external/ftfy/negative.json', import.meta.url));
const damaged = damagedNegatives(negatives);
process.stdout.write(`ftfy's negative cases changed: ${damaged.length}\n`);
for (const d of damaged) process.stdout.write(`  ${JSON.stringify(d.original)} → ${JSON.stringify(d.got)}\n`);
