/**
 * Phrases opencc-js converts wrongly for this kind of text, and what they must become.
 *
 * OpenCC's standard Traditional writes the aspect particle as 着, so its `t`→`cn` dictionary leaves
 * 著 alone (`隨著` → `随著`), while Taiwan's writes it 著 and `tw`→`cn` turns 著 into 着 outside
 * a few phrases (`雜著` → `杂着`). `zhu-zhe.ts` decides each 著 by the word, from jieba's dictionary
 * and OpenCC's phrases; the verbs below take the particle in finance-FAQ prose but are missing from
 * both in their 着 form (`带着`, `面临着`), so a Traditional text that writes them with 著 still gets
 * 着. 著 as "write, notable" (著作, 著名, 显著) never follows them.
 */
const PARTICLE_VERBS = [
  '随',
  '朝',
  '沿',
  '接',
  '跟',
  '看',
  '想',
  '带',
  '拿',
  '等',
  '说',
  '走',
  '笑',
  '站',
  '坐',
  '躺',
  '穿',
  '戴',
  '意味',
  '面临',
  '承担',
  '隐藏',
  '保持',
  '伴随',
  '围绕',
  '存在',
  '有',
  '发挥',
  '扮演',
  '影响',
  '推动',
  '记',
  '忙',
  '活',
  '藏',
  '充满',
  '代表',
  '标志',
  '决定',
  '关系',
  '肩负',
  '承受',
  '经历',
  '进行',
  '持续',
  '变化',
  '发展',
  '增长',
  '下降',
  '面对',
  '盯',
  '守',
  '顺',
  '靠',
  '抱',
  '领',
  '围',
];

/** Simplified words in which 着 is the particle, besides those jieba and OpenCC know. */
export const PARTICLE_ZHE_WORDS: readonly string[] = PARTICLE_VERBS.map((verb) => `${verb}着`);

/**
 * Simplified → OpenCC-standard Traditional where opencc-js is wrong for finance text (the regional
 * forms follow from these as from any of its own phrases). `to-traditional.ts` applies them; each
 * was checked against a list of common finance terms run through opencc-js's `s2t`, `s2tw`, `s2hk`.
 */
export const TO_TRADITIONAL_OVERRIDES: ReadonlyMap<string, string> = new Map([
  // 发 is issuing, not hair (髮). 发 alone is 發 already; it is listed so that a hair phrase ending
  // just before it cannot take it where 发 begins a word (资金发放 ≠ 資金髮放, 黄金发展期).
  ['发', '發'],
  ['发卡', '發卡'],
  ['发放', '發放'],
  // 签 is signing (簽) in this text; lots and labels (籤) are in OpenCC's own phrases: 标签,
  // 抽签, 中签. opencc-js writes a 签 outside its phrases 籤 (面签 → 面籤, 签合同 → 籤合同) and
  // lets 网上签约 and 其中签订 fall to 上签 and 中签 (網上籤約, 其中籤訂).
  ['签', '簽'],
  // Offsetting entries in bookkeeping are 沖, as in OpenCC's own 冲销 → 沖銷 and 对冲 → 對沖.
  ['冲正', '沖正'],
  ['冲账', '沖賬'],
  ['冲帐', '沖帳'],
  ['冲减', '沖減'],
  ['冲抵', '沖抵'],
  ['冲回', '沖回'],
  ['冲红', '沖紅'],
  ['红冲', '紅沖'],
  ['冲转', '沖轉'],
  // A chain of funds (鏈), not a gold necklace (金链 → 金鍊).
  ['资金链', '資金鏈'],
  // Making cards (製), compound interest (複), a half-price discount (折, not folding: 摺).
  ['制卡', '製卡'],
  ['复息', '複息'],
  ['打对折', '打對折'],
]);
