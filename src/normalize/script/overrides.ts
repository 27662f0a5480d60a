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
