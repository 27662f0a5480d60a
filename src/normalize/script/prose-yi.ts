/**
 * Over-conversion of 一: some sites write the financial capital 壹 for every 一, so running prose
 * reads `壹般`, `壹定`, `壹拖再拖`, `第壹百二十八条`. 壹 belongs only in amounts written in financial
 * capitals (`壹万贰仟元`, `人民币壹佰元整`, `贰拾壹`), where it must stay.
 *
 *   fixProseYi('壹般来说，第壹百二十八条规定人民币壹万贰仟元整', 'hans')
 *     →  '一般来说，第一百二十八条规定人民币壹万贰仟元整'  (two repairs 壹 → 一)
 *
 * Decided by the numeral run around each 壹 (the digits, units and currency words next to it),
 * not by the word after it: the run is an amount when it holds another financial capital
 * (贰…仟), a currency unit (元, 圆), or follows a currency word (人民币, ￥, 大写, 金额). Otherwise
 * every 壹 of the run is 一. A few names written with 壹 on purpose (平安壹钱包, 零壹财经) are kept.
 */
import type { Script, StageOutput, TextRepair } from '../types.js';
import { toSimplifiedChars } from './char-fold.js';

const YI = '壹';

/** Financial capitals that prose never uses: each marks its run as an amount. */
const CAPITALS = '贰貳叁參肆伍陆陸柒捌玖佰仟';
/** 拾 is a capital too, but also "pick up" (`收拾`): it marks an amount only in a longer run. */
const SHI = '拾';
/** 萬 is the capital of 万 in Simplified text, and plain 万 in Traditional. */
const WAN = '萬';
/** Currency units that make a run an amount. */
const CURRENCY = '元圆圓';
/** Characters of a numeral run that say nothing by themselves: plain digits, units, money tails. */
const NEUTRAL = '零〇一二三四五六七八九十百千万亿億两兩角分整';
const RUN = new Set(YI + CAPITALS + SHI + WAN + CURRENCY + NEUTRAL);
/** Currency words a written amount follows: 人民币, ￥, 大写, 金额 (in either script). */
const CURRENCY_BEFORE = new Set('币幣￥¥写寫额額');
/** Marks that may stand between such a word and the amount (`金额：壹万元`). */
const SEPARATORS = new Set('：:（( \u3000');
/** Names written with 壹 on purpose, in Simplified. */
const NAMES = ['壹钱包', '壹账通', '壹基金', '壹财经'];

/** Whether the run `chars[start, end)` holding a 壹 is an amount in financial capitals. */
function isAmount(chars: readonly string[], start: number, end: number, script: Script): boolean {
  const run = chars.slice(start, end);
  if (run.some((ch) => CAPITALS.includes(ch) || CURRENCY.includes(ch))) return true;
  if (script === 'hans' && run.includes(WAN)) return true;
  if (run.includes(SHI) && run.length >= 3) return true;
  let before = start - 1;
  while (before >= 0 && SEPARATORS.has(chars[before] as string)) before--;
  return before >= 0 && CURRENCY_BEFORE.has(chars[before] as string);
}

function isName(chars: readonly string[], at: number): boolean {
  return NAMES.some((name) => toSimplifiedChars(chars.slice(at, at + name.length).join('')) === name);
}

/** 壹 of running prose → 一, each recorded as a `script` repair; amounts keep theirs. */
export function fixProseYi(text: string, script: Script): StageOutput {
  if (!text.includes(YI)) return { text, repairs: [], flags: [] };
  const chars = [...text];
  const repairs: TextRepair[] = [];
  for (let i = 0; i < chars.length; i++) {
    if (chars[i] !== YI) continue;
    let start = i;
    while (start > 0 && RUN.has(chars[start - 1] as string)) start--;
    let end = i + 1;
    while (end < chars.length && RUN.has(chars[end] as string)) end++;
    if (!isAmount(chars, start, end, script))
      for (let j = start; j < end; j++) {
        if (chars[j] !== YI || isName(chars, j)) continue;
        chars[j] = '一';
        repairs.push({ kind: 'script', before: YI, after: '一', confidence: 0.9 });
      }
    i = end - 1;
  }
  return repairs.length === 0 ? { text, repairs, flags: [] } : { text: chars.join(''), repairs, flags: [] };
}
