import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_DEFAULTS } from '../../src/config/defaults.js';
import { ConfigError, cronProblem, loadSourcesFile, parseSourcesText } from '../../src/config/sources.js';

const CONTRACT_EXAMPLE = `
output:
  script: hans                  # script of published records (hans | hant | tw | hk)
crawl:
  allow_private_networks: false # true only for tests that crawl 127.0.0.1
sources:
  - name: yuqi-farm
    start_urls: ["https://example.cn/list/1.html"]   # list pages, sitemaps
    follow: ["/list/**"]        # globs of pages to follow for links
    articles: ["/article/**"]   # globs of article pages to extract
    schedule: "0 */6 * * *"     # cron, Asia/Shanghai unless tz is given
    max_pages: 5000
    per_minute: 120             # politeness towards this host
    charset: gbk                # optional hint when the site lies
`;

function problemsOf(text: string, file = 'sources.yaml'): string[] {
  try {
    parseSourcesText(text, file);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected the file to be rejected');
}

describe('sources file', () => {
  it('reads the example of CONTRACT.md and fills in the defaults', () => {
    const config = parseSourcesText(CONTRACT_EXAMPLE, 'sources.yaml');
    expect(config.output.script).toBe('hans');
    expect(config.crawl).toEqual({ ...CONFIG_DEFAULTS.crawl, allow_private_networks: false });
    const [source] = config.sources;
    expect(source).toMatchObject({
      name: 'yuqi-farm',
      start_urls: ['https://example.cn/list/1.html'],
      follow: ['/list/**'],
      articles: ['/article/**'],
      schedule: '0 */6 * * *',
      tz: 'Asia/Shanghai',
      max_pages: 5000,
      per_minute: 120,
      charset: 'gbk',
    });
  });

  it('reads the same file as JSON, and applies defaults to a minimal source', () => {
    const json = JSON.stringify({
      sources: [{ name: 'a', start_urls: ['http://a.example/'], articles: ['/p/*.html'] }],
    });
    const config = parseSourcesText(json, 'sources.json');
    expect(config.output.script).toBe(CONFIG_DEFAULTS.output.script);
    expect(config.sources[0]).toMatchObject({
      follow: [],
      per_minute: CONFIG_DEFAULTS.source.per_minute,
      max_pages: CONFIG_DEFAULTS.source.max_pages,
      schedule: CONFIG_DEFAULTS.source.schedule,
    });
    expect(config.sources[0]?.charset).toBeUndefined();
  });

  it('accepts per-source selectors', () => {
    const config = parseSourcesText(
      `sources:
  - name: odd-site
    start_urls: [https://odd.example/]
    articles: ["/n/**"]
    selectors: { body: "#txt .inner", title: "h2.t", time: "span.pubtime", category: ".crumb a:last-child" }
`,
      'x.yaml',
    );
    expect(config.sources[0]?.selectors).toEqual({
      body: '#txt .inner',
      title: 'h2.t',
      time: 'span.pubtime',
      category: '.crumb a:last-child',
    });
  });
});

describe('sources file: errors', () => {
  it('rejects unknown keys with their path', () => {
    const problems = problemsOf(`
crawl:
  allow_private_network: true
sources:
  - name: a
    start_urls: [https://a.example/]
    articles: ["/p/**"]
    perminute: 10
    selectors: { body: "p", author: ".by" }
extra: 1
`);
    expect(problems).toEqual(
      expect.arrayContaining([
        'crawl.allow_private_network: unknown key',
        'sources[0].perminute: unknown key',
        'sources[0].selectors.author: unknown key',
        'extra: unknown key',
      ]),
    );
  });

  it('rejects bad values with the path of each', () => {
    const problems = problemsOf(`
output: { script: zh }
crawl:
  timeout_secs: 0
  max_body_bytes: 12
sources:
  - name: Has Spaces
    start_urls: ["ftp://a.example/", "not a url"]
    articles: []
    follow: ["list/**"]
    per_minute: fast
    max_pages: 2.5
    charset: klingon
    schedule: "0 25 * * *"
    tz: Mars/Olympus_Mons
    selectors: { body: "div[" }
  - start_urls: [https://b.example/]
    articles: ["/p/**"]
`);
    const paths = problems.map((p) => p.split(':')[0]);
    expect(paths).toEqual(
      expect.arrayContaining([
        'output.script',
        'crawl.timeout_secs',
        'crawl.max_body_bytes',
        'sources[0].name',
        'sources[0].start_urls[0]',
        'sources[0].start_urls[1]',
        'sources[0].articles',
        'sources[0].follow[0]',
        'sources[0].per_minute',
        'sources[0].max_pages',
        'sources[0].charset',
        'sources[0].schedule',
        'sources[0].tz',
        'sources[0].selectors.body',
        'sources[1].name',
      ]),
    );
    expect(problems).toContain('sources[1].name: required');
    expect(problems.find((p) => p.startsWith('sources[0].start_urls[0]'))).toMatch(/http:\/\/ or https:\/\//);
    expect(problems.find((p) => p.startsWith('sources[0].schedule'))).toMatch(/hour: 25 is out of range/);
  });

  it('rejects duplicate source names', () => {
    const problems = problemsOf(`
sources:
  - { name: a, start_urls: [https://a.example/], articles: ["/p/**"] }
  - { name: a, start_urls: [https://b.example/], articles: ["/p/**"] }
`);
    expect(problems).toEqual(['sources[1].name: duplicate source name "a" (also sources[0])']);
  });

  it('reports YAML and JSON syntax errors with where they are', () => {
    expect(problemsOf('sources:\n  - name: [a\n', 'bad.yaml')[0]).toMatch(/^line \d+, column \d+: /);
    expect(problemsOf('{"sources": [}', 'bad.json')[0]).toMatch(/^not JSON: /);
    expect(problemsOf('', 'empty.yaml')[0]).toMatch(/empty/);
  });

  it('names the file in the error, and reports an unreadable file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'finfaq-config-'));
    const path = join(dir, 'sources.yaml');
    await writeFile(path, 'sources:\n  - name: a\n');
    await expect(loadSourcesFile(path)).rejects.toThrow(`${path}: sources[0].start_urls: required`);
    await expect(loadSourcesFile(join(dir, 'missing.yaml'))).rejects.toThrow(
      /missing\.yaml: cannot read: no such file/,
    );
  });

  it('knows a cron expression when it sees one', () => {
    expect(cronProblem('0 */6 * * *')).toBeUndefined();
    expect(cronProblem('15,45 8-20/2 1 jan-mar mon-fri')).toBeUndefined();
    expect(cronProblem('* * * *')).toMatch(/5 fields/);
    expect(cronProblem('61 * * * *')).toMatch(/minute: 61/);
    expect(cronProblem('*/0 * * * *')).toMatch(/step 0/);
    expect(cronProblem('0 0 * foo *')).toMatch(/month: cannot read "foo"/);
  });
});
