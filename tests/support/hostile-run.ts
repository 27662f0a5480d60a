/**
 * Normalizes one pathological page (`hostile-pages.ts`) and prints what it cost, as one line of
 * JSON: run it in a child process with a heap limit, so that its peak memory is its own.
 *
 *   node --max-old-space-size=1024 --import tsx tests/support/hostile-run.ts SHAPE SIZE
 *
 * `maxRssMb` is the process's peak resident memory, its start-up and the page itself included.
 */
import { normalizeDocument } from '../../src/normalize/pipeline.js';
import { SHAPES } from './hostile-pages.js';

const [shape = '', size = '0'] = process.argv.slice(2);
const make = SHAPES[shape];
if (!make) {
  console.error(`unknown shape ${shape}; one of ${Object.keys(SHAPES).join(', ')}`);
  process.exit(2);
}
// Module and model loading are not the page's cost.
normalizeDocument({ url: 'warm-up:', text: '银行贷款逾期了怎么办？\n逾期以后，征信会受到影响。' });
const raw = make(Number(size));
const started = performance.now();
const cpu = process.cpuUsage();
const record = normalizeDocument(raw);
const used = process.cpuUsage(cpu);
console.log(
  JSON.stringify({
    shape,
    size: Number(size),
    ms: Math.round(performance.now() - started),
    cpuMs: Math.round((used.user + used.system) / 1000),
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    paragraphs: record.paragraphs.length,
    repairs: record.repairs.length,
    flags: record.flags,
  }),
);
