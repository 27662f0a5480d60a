/**
 * Clean, realistic Simplified Chinese finance-FAQ articles, generated from a seed.
 *
 * The articles have the shape of the seed pages (../shared/seeds): a title, a byline category and
 * time, an optional `小编导语` lead, numbered headings (`一、…`, `1.1 …`, `3.1.1 …`) and prose
 * paragraphs, ending with `小编总结`. Sentences come from the templates and vocabulary below, written
 * for this project: no sentence is taken from the seeds or any other page (the seeds are what the
 * normalizer is measured on, so text of theirs in the fixtures would let it pass by recall).
 *
 * Everything here is clean prose: full-width punctuation, no spaces between Han characters, and
 * only words that the normalizer leaves untouched and that round-trip through the half-converted
 * and pinyin faults. That was checked by running the normalizer on every template instance
 * (`allTemplateInstances`) clean, converted to Traditional, naively half-converted and fully
 * annotated; tests/properties.test.ts keeps checking whole articles. The one clean sentence that
 * failed for a normalizer bug rather than for its words is kept apart in `KNOWN_HARD_SENTENCES`.
 */

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

/** A small seeded PRNG (mulberry32): the same seed gives the same article on every machine. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** A shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  }

  /** An independent stream for one purpose: adding draws to one fault does not move another. */
  fork(label: string): Rng {
    let h = this.state ^ 0x9e3779b9;
    for (const ch of label) h = Math.imul(h ^ (ch.codePointAt(0) ?? 0), 0x01000193);
    return new Rng(h >>> 0);
  }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary

/** Products: `{P}`. */
// biome-ignore format: word lists read best packed
export const PRODUCTS = [
  '借呗', '花呗', '微粒贷', '备用金', '好期贷', '安逸花', '有钱花', '网商贷', '分期乐', '金条', '白条', '邮你贷',
  '随借随还', '极速贷', '信用贷', '消费贷',
] as const;
/** Banks and platforms: `{B}`. */
// biome-ignore format: word lists read best packed
export const INSTITUTIONS = [
  '支付宝', '微信', '招商银行', '建设银行', '工商银行', '农业银行', '中国银行', '交通银行', '平安银行', '中信银行',
  '光大银行', '兴业银行', '民生银行', '浦发银行', '邮储银行', '京东金融', '度小满', '小米金融', '美团', '苏宁金融',
  '招联金融', '马上消费金融',
] as const;
/** Byline categories of such sites. */
// biome-ignore format: word lists read best packed
export const CATEGORIES = [
  '逾期法务', '网贷知识', '信用卡', '征信知识', '理财问答', '银行资讯', '贷款攻略', '逾期协商', '债务优化', '金融科普',
] as const;
const DAYS = ['3天', '5天', '7天', '15天', '30天', '一个月', '三个月', '半年'] as const;
const SMALL_AMOUNTS = ['500元', '1000元', '2000元', '3000元'] as const;
const LARGE_AMOUNTS = ['5万元', '10万元', '20万元', '30万元'] as const;
const RATES = ['0.02%', '0.03%', '0.035%', '0.05%'] as const;

type Slot = 'P' | 'B' | 'D' | 'A' | 'A2' | 'R';
const SLOT_VALUES: Record<Slot, readonly string[]> = {
  P: PRODUCTS,
  B: INSTITUTIONS,
  D: DAYS,
  A: SMALL_AMOUNTS,
  A2: LARGE_AMOUNTS,
  R: RATES,
};

// ---------------------------------------------------------------------------------------------
// Templates

interface Theme {
  /** Section headings (after `一、`). */
  headings: string[];
  /** Subsection headings (after `1.1 `). */
  subs: string[];
  sentences: string[];
}

export const THEMES: Record<string, Theme> = {
  product: {
    headings: ['{P}是什么', '了解{P}', '{P}的基本情况', '“{P}”简介'],
    subs: ['产品概述', '申请条件', '额度与利率', '申请流程', '目标用户', '还款方式'],
    sentences: [
      '{P}是{B}推出的一款小额信贷产品，主要为个人用户提供短期的资金周转服务。',
      '用户可以通过{B}的官方APP申请{P}，审批流程比较简单，放款速度也比较快。',
      '一般来说，{P}的额度在{A}到{A2}之间，具体额度会根据用户的信用情况综合评定。',
      '{P}的日利率通常在{R}左右，用户需要认真计算实际的借款成本。',
      '申请人需要年满十八周岁，拥有稳定的收入来源，并且个人征信记录良好。',
      '在申请之前，建议用户先了解清楚产品的费率、还款方式以及逾期后的处理规则。',
      '该产品主要面向上班族、个体工商户以及有短期消费需求的年轻人。',
      '实名认证通过、资料填好、同意查询征信以后，就能提交借款申请。',
      '审批通过以后，借款资金一般会在当天发放到用户绑定的银行卡中。',
      '{P}支持等额本息和先息后本等多种还款方式，可以按自己的收入情况来选。',
      '借款期限一般可以选择三个月、六个月或者十二个月，期限越长，需要支付的利息也就越多。',
      '与传统的银行贷款相比，{P}的门槛相对较低，但是利率也相对较高。',
      '需要注意的是，每一次申请都会在征信报告上留下查询记录。',
      '如果用户的资料不完整或者信用评分不足，申请可能会被系统自动拒绝。',
      '很多用户关心{P}的额度能不能提高，这个问题的关键在于平时的使用情况。',
    ],
  },
  overdue: {
    headings: ['{P}逾期的后果', '逾期会带来哪些影响', '逾期以后会怎么样'],
    subs: ['罚息与违约金', '征信记录受损', '催收电话', '法律风险', '影响日常生活'],
    sentences: [
      '一旦发生逾期，平台会按照合同约定每天收取一定比例的罚息。',
      '逾期时间越长，需要偿还的罚息和违约金就越多，债务压力也会越来越大。',
      '逾期超过{D}以后，相关记录通常会被上报到中国人民银行的征信系统。',
      '征信出现不良记录以后，用户今后申请房贷、车贷和信用卡都会受到影响。',
      '不良记录一般会在征信报告中保留五年，从欠款还清之日起计算。',
      '逾期以后，用户往往会接到平台或者第三方机构打来的催收电话。',
      '有些催收人员会频繁拨打电话，甚至联系借款人的家人和同事，给生活带来很大困扰。',
      '如果长期拒不还款，平台可能会向法院提起诉讼，要求借款人偿还本金和利息。',
      '法院判决以后仍然不履行还款义务的，借款人可能会被列为失信被执行人。',
      '被列为失信被执行人以后，乘坐飞机和高铁等高消费行为都会受到限制。',
      '恶意逃避债务不仅会带来经济损失，还可能承担相应的法律责任。',
      '逾期问题如果得不到及时处理，往往会像滚雪球一样越来越严重。',
      '对于暂时还不上钱的用户来说，最重要的是不要逃避问题。',
      '在逾期的同时，用户的账户额度也可能会被冻结，无法继续借款。',
    ],
  },
  coping: {
    headings: ['逾期以后的应对措施', '借款人能做什么', '还不上钱怎么办'],
    subs: ['主动联系客服', '协商还款方案', '申请延期还款', '合理规划收支', '保留沟通证据'],
    sentences: [
      '发现自己无法按时还款时，应当第一时间主动联系平台的官方客服说明情况。',
      '用户可以向平台说明自己的实际困难，并提供收入证明等相关材料。',
      '很多平台都支持协商还款，用户可以申请分期偿还或者减免部分罚息。',
      '协商的时候要保持诚恳的态度，并提出自己能够承受的还款计划。',
      '达成协商以后，一定要按照新的还款计划按时还款，否则协议可能会失效。',
      '在与催收人员沟通的过程中，建议用户保留通话录音和聊天记录。',
      '如果遇到暴力催收，用户可以向金融监管部门或者互联网金融协会进行投诉。',
      '不要为了偿还旧债而借新债，以贷养贷只会让债务问题越来越严重。',
      '用户还应当重新梳理自己的收入和支出，减少不必要的消费。',
      '必要的时候，可以向家人或者朋友寻求帮助，先把逾期的欠款还上。',
      '切勿相信网上所谓的代还和套现服务，这类服务往往暗藏诈骗风险。',
      '还清欠款以后，可以向平台申请开具结清证明，以备日后查询。',
      '用户可以拨打{B}的官方客服电话，询问是否能够办理延期还款。',
    ],
  },
  credit: {
    headings: ['征信的基本知识', '如何查询个人征信', '征信受损以后怎么办'],
    subs: ['什么是征信报告', '查询渠道', '查询次数的影响', '异议申诉', '修复征信'],
    sentences: [
      '个人征信报告是记录个人信用活动的文件，由中国人民银行征信中心统一管理。',
      '报告中包含个人的基本信息、信贷记录、公共记录以及查询记录等内容。',
      '用户可以登录征信中心的官方网站，或者到银行网点的自助查询机查询个人征信。',
      '每个人每年可以免费查询两次个人信用报告。',
      '短时间内频繁申请贷款，会导致征信报告上的查询次数过多。',
      '查询次数过多，银行会认为申请人资金紧张，从而影响贷款审批。',
      '如果发现征信报告中存在错误信息，可以向征信中心或者相关机构提出异议申请。',
      '市面上所谓的征信修复服务大多是骗局，用户千万不要轻信。',
      '保持良好的还款习惯，才是维护个人信用最有效的方法。',
      '不良记录在还清欠款五年以后会自动消除，不需要花钱找人处理。',
      '信用卡和贷款按时还款，征信报告上就会积累良好的信用记录。',
    ],
  },
  phone: {
    headings: ['为什么会接到电话', '来历不明的电话', '这些电话从哪里来', '怎样判断来电真假'],
    subs: ['来电说了什么', '营销电话', '号码是怎么泄露的', '核实来电身份', '拒绝骚扰电话'],
    sentences: [
      '有用户在论坛上说，{B}给自己打过好几次电话，可自己从来没有办理过相关业务。',
      '打来的电话多半是推销贷款，也有的说要帮你提额或者核对资料。',
      '一些机构为了多拉新客户，会安排专人打电话推销贷款产品。',
      '如果用户曾经在平台上注册过账号，就有可能接到平台的营销电话。',
      '一些不法分子会冒充平台客服拨打电话，以调整额度为由骗取用户的钱财。',
      '接到陌生电话的时候，用户应当保持警惕，不要轻易透露验证码和银行卡密码。',
      '接到自称平台工作人员的来电，最好先拨打官方客服电话核实对方身份。',
      '确认对方是推销电话以后，可以直接挂断，也可以在手机里设置拦截。',
      '手机自带的骚扰拦截打开以后，推销电话会少很多。',
      '个人信息泄露是导致骚扰电话越来越多的重要原因之一。',
      '手机号、身份证号这类个人信息一旦泄露，就可能被人拿去推销或者诈骗。',
      '用户可以拨打{B}的官方客服电话进行咨询，确认来电是否属实。',
    ],
  },
  card: {
    headings: ['信用卡的使用技巧', '信用卡还款的注意事项', '信用卡分期是否划算'],
    subs: ['账单日与还款日', '最低还款额', '分期手续费', '提升信用额度', '避免套现'],
    sentences: [
      '信用卡的账单日和还款日之间通常有二十天左右的免息期。',
      '在免息期内全额还款，就不需要支付任何利息。',
      '如果只偿还最低还款额，剩余部分将从消费之日起按日计算利息。',
      '信用卡分期虽然可以减轻短期的还款压力，但是需要支付一定的手续费。',
      '分期手续费看起来不高，折算成实际年化利率以后往往超过百分之十。',
      '按时还款并保持适度的刷卡频率，有助于提升信用卡的额度。',
      '利用信用卡套现属于违规行为，一旦被银行发现，可能会被降额甚至封卡。',
      '多数银行都提供了一定天数的还款宽限期，但是不同银行的规定并不相同。',
      '建议用户开通自动还款功能，避免因为忘记还款而产生逾期。',
      '持卡人还可以通过{B}的手机银行随时查询账单和剩余额度。',
      '办理信用卡的同时，用户也要了解年费和违约金的收取标准。',
    ],
  },
  wealth: {
    headings: ['理财产品的风险', '如何选择理财产品', '理财需要注意什么'],
    subs: ['风险等级', '预期收益', '赎回规则', '资金安全'],
    sentences: [
      '银行理财产品一般分为五个风险等级，风险越高，收益的波动也就越大。',
      '购买理财产品之前，投资者需要完成风险承受能力评估。',
      '预期收益并不等于实际收益，理财产品不保本也不保收益。',
      '货币基金的流动性比较好，适合存放日常的备用资金。',
      '部分理财产品设有封闭期，封闭期内无法提前赎回。',
      '投资者应当通过正规渠道购买理财产品，远离承诺高收益的非法平台。',
      '合理分散投资，可以在一定程度上降低单一产品带来的风险。',
      '对于普通家庭来说，理财的首要目标是保证资金安全。',
      '在追求收益的同时，投资者也要充分考虑自己的风险承受能力。',
    ],
  },
  safety: {
    headings: ['平台应该做什么', '如何保护个人信息', '防范金融诈骗'],
    subs: ['保管好个人资料', '加强监管', '把费用说清楚', '常见诈骗手段'],
    sentences: [
      '{B}掌握着大量用户资料，保护这些资料不被滥用是它应尽的义务。',
      '平台把用户资料交给合作机构之前，应当征得用户同意并限定用途。',
      '监管部门近年来不断加强对互联网金融行业的监管力度。',
      '平台应当在产品说明中明确告知用户费率、期限和逾期后果等重要信息。',
      '常见的诈骗手段包括冒充客服、虚假贷款和刷单返利等。',
      '凡是要求先交保证金或者手续费才能放款的，基本都是诈骗。',
      '用户不要随意点击短信中的陌生链接，也不要下载来历不明的APP。',
      '在追求审批速度的同时守住用户隐私，是每家平台都要回答的问题。',
      '一旦发现自己被骗，应当立即保存证据并向公安机关报案。',
    ],
  },
};

/**
 * Clean prose the normalizer mangles today (tested in tests/properties.test.ts): kept out
 * of the generated articles so that a bug in one stage does not show up as a failure of every
 * fault class, and tested on their own instead.
 */
export const KNOWN_HARD_SENTENCES = [
  // Dropped whole as spam: the spam pattern matches 黑户 anywhere in a line under 200 characters.
  '征信黑户想要申请贷款是非常困难的，很多正规机构都会直接拒绝。',
];

/** Lead paragraph sentences (after `小编导语`). */
export const INTRO_SENTENCES = [
  '这几年，手机上能申请的贷款产品越来越多。',
  '{B}推出的“{P}”，因为申请方便，用的人也越来越多。',
  '最近在网上问{P}相关问题的人不少。',
  '用{P}的时候，大家常常会碰到一些疑问。',
  '下面把常见的几个问题整理出来，供大家参考。',
  '下面小编就为大家详细介绍一下相关的内容。',
  '网上的借贷平台很多，产品名字也五花八门。',
  '那么这究竟是怎么回事呢？',
];

/** Closing paragraph sentences (after `小编总结`). */
export const SUMMARY_SENTENCES = [
  '{P}是{B}旗下的信贷产品，额度和期限都比较灵活。',
  '用户在享受便利的同时，也需要保持理性，根据自己的还款能力合理借款。',
  '一旦出现逾期，应当积极面对，主动与平台沟通解决。',
  '只有养成良好的信用习惯，才能在需要资金的时候获得更多的支持。',
  '希望本文的内容能够对大家有所帮助。',
  '如果还有其他问题，可以随时咨询平台的官方客服。',
  '总之，借款之前一定要量力而行，千万不要盲目借贷！',
  '以上就是本文的全部内容。',
];

/**
 * Short remarks that close a paragraph now and then, as they do on such pages. (They also give
 * the GBK-tail fault short runs to garble: a long run rarely decodes in full.)
 */
export const CLOSING_REMARKS = [
  '这一点非常重要。',
  '请大家务必注意。',
  '希望对大家有所帮助。',
  '具体以平台公布的为准。',
  '大家一定要引起重视。',
  '这是最稳妥的做法。',
  '千万不要抱有侥幸心理。',
  '这样做更加安全。',
  '这种情况并不少见。',
  '这个问题值得关注。',
  '大家可以参考一下。',
  '及时处理才是关键。',
  '以免造成不必要的损失。',
  '这样才能避免后续麻烦。',
  '一定要保存好相关凭证。',
  '否则后果会更加严重。',
  '建议提前做好准备。',
];

/** Titles; each names the theme its article leads with. */
export const TITLES: { text: string; theme: keyof typeof THEMES }[] = [
  { text: '{B}为什么给我打电话', theme: 'phone' },
  { text: '为啥{B}给我发信息', theme: 'phone' },
  { text: '接到{P}的催收电话怎么办', theme: 'overdue' },
  { text: '{P}逾期{D}会怎么样', theme: 'overdue' },
  { text: '{P}还不上了怎么办', theme: 'coping' },
  { text: '{P}怎么提高额度', theme: 'product' },
  { text: '{P}会不会影响征信', theme: 'credit' },
  { text: '{B}信用卡逾期了怎么办', theme: 'card' },
  { text: '{P}的利息是怎么计算的', theme: 'product' },
  { text: '{B}理财产品安全吗', theme: 'wealth' },
  { text: '征信花了还能申请{P}吗', theme: 'credit' },
  { text: '{B}的{P}靠谱吗', theme: 'safety' },
];

const CHINESE_NUMERALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

// ---------------------------------------------------------------------------------------------
// Articles

export type LineKind = 'lead-heading' | 'heading' | 'subheading' | 'paragraph';

export interface Article {
  seed: number;
  /** Simplified, as the page's `<h1>` says it. */
  title: string;
  category: string;
  /** As the byline prints it: `2024-10-02 23:26:37`, China time. */
  time: string;
  /** What the record's `published_at` must say: ISO 8601 with the China offset. */
  publishedAt: string;
  /** Body lines in reading order (headings included), Simplified. */
  paragraphs: string[];
  /** What each body line is, parallel to `paragraphs`. */
  kinds: LineKind[];
}

interface Topic {
  P: string;
  B: string;
}

/** Fills `{P}`, `{B}`… : the article's own product and institution, the rest drawn fresh. */
export function fill(template: string, topic: Topic, rng: Rng): string {
  return template.replace(/\{(P|B|D|A2|A|R)\}/g, (_, slot: Slot) =>
    slot === 'P' || slot === 'B' ? topic[slot] : rng.pick(SLOT_VALUES[slot]),
  );
}

/** Draws sentences without repeating one within an article. */
class SentenceSource {
  private readonly used = new Set<string>();

  constructor(
    private readonly rng: Rng,
    private readonly topic: Topic,
  ) {}

  draw(pool: readonly string[], count: number): string[] {
    const out: string[] = [];
    for (let tries = 0; out.length < count && tries < count * 20; tries++) {
      const template = this.rng.pick(pool);
      if (this.used.has(template)) continue;
      this.used.add(template);
      out.push(fill(template, this.topic, this.rng));
    }
    return out;
  }
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** A plausible publication time between 2019 and 2025, as the byline prints it and as ISO. */
function randomTime(rng: Rng): { time: string; publishedAt: string } {
  const year = rng.int(2019, 2025);
  const month = rng.int(1, 12);
  const day = rng.int(1, 28);
  const date = `${year}-${pad2(month)}-${pad2(day)}`;
  const clock = `${pad2(rng.int(0, 23))}:${pad2(rng.int(0, 59))}:${pad2(rng.int(0, 59))}`;
  return { time: `${date} ${clock}`, publishedAt: `${date}T${clock}+08:00` };
}

/** One article from a seed; the same seed always gives the same article. */
export function generateArticle(seed: number): Article {
  const rng = new Rng(seed);
  const topic: Topic = { P: rng.pick(PRODUCTS), B: rng.pick(INSTITUTIONS) };
  const lead = rng.pick(TITLES);
  const title = fill(lead.text, topic, rng);
  const category = rng.pick(CATEGORIES);
  const { time, publishedAt } = randomTime(rng);
  const sentences = new SentenceSource(rng, topic);

  const paragraphs: string[] = [];
  const kinds: LineKind[] = [];
  const add = (kind: LineKind, text: string) => {
    // A pool can run out of sentences not yet used in this article: no empty paragraph then.
    if (text.length === 0) return;
    paragraphs.push(text);
    kinds.push(kind);
  };

  if (rng.chance(0.7)) add('lead-heading', rng.chance(0.8) ? '小编导语' : '导语');
  add('paragraph', sentences.draw(INTRO_SENTENCES, rng.int(2, 4)).join(''));

  const otherThemes = rng.shuffle(Object.keys(THEMES).filter((t) => t !== lead.theme));
  const themes = [lead.theme, ...otherThemes.slice(0, rng.int(2, 4))];
  themes.forEach((name, s) => {
    const theme = THEMES[name] as Theme;
    add('heading', `${CHINESE_NUMERALS[s]}、${fill(rng.pick(theme.headings), topic, rng)}`);
    // The first section always has numbered subsections, as every seed page does.
    if (s > 0 && rng.chance(0.15)) {
      // A section without subsections: one or two paragraphs right under the heading.
      for (let k = rng.int(1, 2); k > 0; k--)
        add('paragraph', sentences.draw(theme.sentences, rng.int(2, 3)).join(''));
      return;
    }
    const subs = rng.shuffle(theme.subs).slice(0, rng.int(2, 3));
    subs.forEach((sub, j) => {
      const number = `${s + 1}.${j + 1}`;
      add('subheading', `${number} ${sub}`);
      if (rng.chance(0.15)) {
        // A third level, as in `3.1.1 用户隐私保护`.
        const deeper = rng.shuffle(theme.subs.filter((x) => x !== sub)).slice(0, 2);
        deeper.forEach((d, k) => {
          add('subheading', `${number}.${k + 1} ${d}`);
          add('paragraph', sentences.draw(theme.sentences, rng.int(1, 2)).join(''));
        });
        return;
      }
      const sentencesOf = sentences.draw(theme.sentences, rng.int(1, 3));
      if (rng.chance(0.3)) sentencesOf.push(...sentences.draw(CLOSING_REMARKS, 1));
      add('paragraph', sentencesOf.join(''));
    });
  });
  add('heading', `${CHINESE_NUMERALS[themes.length]}、${rng.chance(0.8) ? '小编总结' : '总结'}`);
  add('paragraph', sentences.draw(SUMMARY_SENTENCES, rng.int(2, 4)).join(''));

  return { seed, title, category, time, publishedAt, paragraphs, kinds };
}

/**
 * Every sentence and heading the generator can produce from one template, with each slot filled
 * by each of its values in turn (the audit's input): the normalizer must leave all of them alone.
 */
export function* allTemplateInstances(): Generator<string> {
  const templates = [
    ...Object.values(THEMES).flatMap((t) => [...t.headings, ...t.subs, ...t.sentences]),
    ...INTRO_SENTENCES,
    ...SUMMARY_SENTENCES,
    ...CLOSING_REMARKS,
    ...TITLES.map((t) => t.text),
    ...CATEGORIES,
  ];
  for (const template of templates) {
    const slots = [...new Set([...template.matchAll(/\{(P|B|D|A2|A|R)\}/g)].map((m) => m[1] as Slot))];
    if (slots.length === 0) {
      yield template;
      continue;
    }
    // Each slot through all its values, the others at their first value: linear, not combinatorial.
    for (const slot of slots) {
      for (const value of SLOT_VALUES[slot]) {
        yield template.replace(/\{(P|B|D|A2|A|R)\}/g, (_, s: Slot) =>
          s === slot ? value : (SLOT_VALUES[s][0] as string),
        );
      }
    }
  }
}
