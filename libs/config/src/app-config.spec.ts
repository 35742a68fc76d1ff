import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_DOC, ConfigError, loadConfig, parseApiKeys } from './app-config';

describe('configuration', () => {
  it('has documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      kafkaBrokers: ['127.0.0.1:9092'],
      eventsTopic: 'billing.events',
      dlqTopic: 'billing.events.dlq',
      port: 3000,
      ingestBatchSize: 2000,
      apiKeys: [],
    });
  });

  it('lists every setting in docs/configuration.md with the same default', () => {
    const readme = readFileSync(path.join(__dirname, '../../../docs/configuration.md'), 'utf8');
    for (const s of CONFIG_DOC) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${s.env}\` |`));
      expect({ env: s.env, row: row !== undefined }).toEqual({ env: s.env, row: true });
      const shown = s.default === '(none)' ? '(none)' : `\`${s.default}\``;
      expect(row).toContain(shown);
    }
  });

  it('explains bad values', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(
      new ConfigError('PORT must be an integer >= 0, got "eighty"'),
    );
    expect(() => parseApiKeys('root:0123456789abcdef')).toThrow(
      /role reader\|sales-manager\|finance-clerk\|/,
    );
    expect(() => parseApiKeys('reader:short')).toThrow(/16\+ characters/);
    expect(() => parseApiKeys('cfo:bad name!:0123456789abcdef')).toThrow(/bad name/);
    expect(() => parseApiKeys('cfo:ann:0123456789abcdef,reader:ann:abcdef0123456789')).toThrow(/duplicate/);
    expect(parseApiKeys('reader:0123456789abcdef, admin:abcdef0123456789')).toEqual([
      { role: 'reader', key: '0123456789abcdef', name: 'reader-1' },
      { role: 'admin', key: 'abcdef0123456789', name: 'admin-1' },
    ]);
    // role:name:key names the principal; the legacy role `finance` is finance-manager.
    expect(parseApiKeys('sales-manager:sam:0123456789abcdef,finance:abcdef0123456789')).toEqual([
      { role: 'sales-manager', key: '0123456789abcdef', name: 'sam' },
      { role: 'finance-manager', key: 'abcdef0123456789', name: 'finance-manager-1' },
    ]);
  });
});

describe('API_KEYS principals', () => {
  it('refuses names that differ only in case: four-eyes would take them for one person', () => {
    expect(() =>
      parseApiKeys('sales-manager:Sam:key-0123456789abcdef,credit-analyst:sam:key-fedcba9876543210'),
    ).toThrow('duplicate name sam (names are compared ignoring case)');
  });
});
