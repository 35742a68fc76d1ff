import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  mapPersonalFields,
  mapPersonalFieldsInRaw,
  parseEvent,
  type BillingEvent,
} from '@credit-ledger/domain';
import {
  DEV_KEY_FILE,
  DataKey,
  findSealed,
  loadMasterKeyring,
  parseMasterKeys,
  parseSealed,
  redactText,
} from './index';

const KEY_A = Buffer.alloc(32, 1).toString('base64');
const KEY_B = Buffer.alloc(32, 2).toString('base64');

function onboarded(): BillingEvent {
  const raw = JSON.stringify({
    eventId: 'e-1',
    type: 'CustomerOnboarded',
    version: 2,
    customerId: 'C-1',
    occurredAt: '2026-03-01T09:00:00Z',
    source: 'crm',
    payload: {
      name: 'Acme Ltd',
      currency: 'EUR',
      creditLimit: '1000.00',
      accountOwner: { id: 'S-7', name: 'Sara Seller', email: 'sara@seller.example' },
      contactEmail: 'ap@acme.example',
    },
  });
  const r = parseEvent(Buffer.from(raw), { key: 'C-1' });
  if (!r.ok) throw new Error(r.reason);
  return r.event;
}

describe('sealed values', () => {
  const key = new DataKey('C-1', 1, Buffer.alloc(32, 7));

  it('given a value, when sealed and opened with the same key, then it is the value again', () => {
    const sealed = key.seal('sara@seller.example', 'contactEmail');
    expect(sealed.startsWith('pd1|')).toBe(true);
    expect(sealed).not.toContain('sara');
    expect(key.open(parseSealed(sealed)!)).toEqual({ field: 'contactEmail', value: 'sara@seller.example' });
  });

  it('given the same value twice, when sealed, then the strings are equal (a redelivery has the same hash)', () => {
    expect(key.seal('Sara Seller', 'f')).toBe(key.seal('Sara Seller', 'f'));
    expect(key.seal('Sara Seller', 'f')).not.toBe(key.seal('Sara Sellers', 'f'));
    expect(key.seal('Sara Seller', 'f')).not.toBe(key.seal('Sara Seller', 'g'));
  });

  it('given another customer or another key, when opening, then nothing opens', () => {
    const sealed = parseSealed(key.seal('x@y.example', 'f'))!;
    expect(new DataKey('C-2', 1, Buffer.alloc(32, 7)).open(sealed)).toBeNull();
    expect(new DataKey('C-1', 1, Buffer.alloc(32, 8)).open(sealed)).toBeNull();
    const tampered = { ...sealed, body: Buffer.from(sealed.body) };
    tampered.body[0] ^= 1;
    expect(key.open(tampered)).toBeNull();
  });

  it('given a customer id with separators, when sealed, then the token still parses to it', () => {
    const odd = new DataKey('C|1 ü', 1, Buffer.alloc(32, 7));
    const t = parseSealed(odd.seal('', 'f'))!;
    expect(t.customerId).toBe('C|1 ü');
    expect(odd.open(t)).toEqual({ field: 'f', value: '' });
  });

  it('given a text with sealed values inside, when searched, then each is found in order', () => {
    const a = key.seal('a@b.example', 'f');
    const b = key.seal('Sara', 'f');
    const found = findSealed(`{"x":"${a}","y":["${b}"]}`);
    expect(found.map((t) => t.text)).toEqual([a, b]);
  });
});

describe('the contract marks the personal fields', () => {
  it('given an onboarding with a file, when its personal fields are mapped, then exactly those change', () => {
    const e = onboarded();
    const seen: string[] = [];
    const out = mapPersonalFields(e, (v, f) => {
      seen.push(f);
      return `<${v}>`;
    });
    expect(seen).toEqual(['accountOwner.name', 'accountOwner.email', 'contactEmail']);
    expect(out.payload).toMatchObject({
      name: 'Acme Ltd',
      accountOwner: { id: 'S-7', name: '<Sara Seller>', email: '<sara@seller.example>' },
      contactEmail: '<ap@acme.example>',
      creditLimit: 100000n,
    });
    expect((e.payload as { contactEmail: string }).contactEmail).toBe('ap@acme.example');
  });

  it("given an individual's details, when parsed and mapped, then each is personal except the currency", () => {
    const raw = (individual: Record<string, unknown>) =>
      Buffer.from(
        JSON.stringify({
          eventId: 'e-2',
          type: 'CustomerProfileUpdated',
          version: 1,
          customerId: 'C-1',
          occurredAt: '2026-03-01T09:00:00Z',
          source: 'crm',
          payload: { individual },
        }),
      );
    const r = parseEvent(
      raw({
        fullName: 'Ivy',
        dateOfBirth: '1990-04-01',
        education: 'master',
        annualIncome: '48000',
        currency: 'EUR',
      }),
      { key: 'C-1' },
    );
    if (!r.ok) throw new Error(r.reason);
    const seen: string[] = [];
    const out = mapPersonalFields(r.event, (v, f) => {
      seen.push(f);
      return `<${v}>`;
    });
    expect(seen).toEqual([
      'individual.fullName',
      'individual.dateOfBirth',
      'individual.education',
      'individual.annualIncome',
    ]);
    expect((out.payload as { individual: unknown }).individual).toEqual({
      fullName: '<Ivy>',
      dateOfBirth: '<1990-04-01>',
      education: '<master>',
      annualIncome: '<48000.00>',
      currency: 'EUR',
    });
    const bad = parseEvent(raw({ nationalId: 'X<1234>' }), { key: 'C-1' });
    expect(bad).toMatchObject({ ok: false, code: 'BAD_FIELD' });
    expect(bad.ok || bad.reason).not.toContain('1234');
    expect(parseEvent(raw({ annualIncome: '1.00' }), { key: 'C-1' })).toMatchObject({
      code: 'MISSING_FIELD',
    });
  });

  it('given a raw payload of odd shape, when mapped, then whatever sits at a personal path is replaced', () => {
    const p: Record<string, unknown> = { accountOwner: 'Sara', contactEmail: 42, other: 'kept' };
    expect(mapPersonalFieldsInRaw(p, (v) => `<${v}>`)).toBe(2);
    expect(p).toEqual({ accountOwner: '<Sara>', contactEmail: '<42>', other: 'kept' });
  });

  it('given text with e-mail addresses, when redacted, then they are gone', () => {
    expect(redactText('bad: "ap@acme.example" and x@y.co')).toBe('bad: "[redacted]" and [redacted]');
  });
});

describe('master keys', () => {
  it('given several versions, when parsed, then the highest is current and all are kept', () => {
    const ring = parseMasterKeys(`1:${KEY_A}, 2:${KEY_B}`);
    expect(ring.current).toBe(2);
    expect(ring.key(1)).toEqual(Buffer.alloc(32, 1));
    expect(JSON.stringify({ ring })).not.toContain(KEY_A);
  });

  it('given a bare key, when parsed, then it is version 1', () => {
    expect(parseMasterKeys(KEY_A).current).toBe(1);
  });

  it('given a short key, a repeated version or an unversioned key among several, when parsed, then it is refused', () => {
    expect(() => parseMasterKeys('1:AAAA')).toThrow(/3 bytes, expected 32/);
    expect(() => parseMasterKeys(`1:${KEY_A},1:${KEY_B}`)).toThrow(/version 1 given twice/);
    expect(() => parseMasterKeys(`${KEY_A},2:${KEY_B}`)).toThrow(/each needs its VERSION/);
  });

  it('given no key in production, when loading, then it refuses to start', () => {
    expect(() => loadMasterKeyring({ NODE_ENV: 'production' }, tmpdir())).toThrow(
      /required when NODE_ENV=production/,
    );
  });

  it('given no key in development, when loading twice, then one generated key is kept in a private file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pd-'));
    const first = loadMasterKeyring({}, dir);
    const second = loadMasterKeyring({}, dir);
    expect(first.origin).toBe('development');
    expect(second.key(1)).toEqual(first.key(1));
    expect(readFileSync(join(dir, DEV_KEY_FILE), 'utf8')).toMatch(/^1:[A-Za-z0-9+/]{43}=\n$/);
    expect(statSync(join(dir, DEV_KEY_FILE)).mode & 0o777).toBe(0o600);
  });
});
