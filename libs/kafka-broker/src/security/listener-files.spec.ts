import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { listenerSecurity, readSaslUsers } from './listener-files';

let dir: string;
const file = (name: string, content: string): string => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'cl-broker-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('standalone broker security files', () => {
  it('reads name:password lines, the password being everything after the first colon', () => {
    expect(readSaslUsers(file('users', '# users\n\nledger:s3cret\nops:a:b:c\r\n'))).toEqual({
      ledger: 's3cret',
      ops: 'a:b:c',
    });
    expect(() => readSaslUsers(file('bad', 'ledger\n'))).toThrow(/bad:1: expected name:password/);
    expect(() => readSaslUsers(file('empty', '# nobody\n'))).toThrow('no users');
  });

  it('turns the file options into listener security, and refuses half a pair', () => {
    const cert = file('cert.pem', 'CERT');
    const key = file('key.pem', 'KEY');
    const users = file('users2', 'ledger:pw\n');
    expect(listenerSecurity({})).toEqual({ tls: undefined, sasl: undefined });
    const both = listenerSecurity({
      tlsCert: cert,
      tlsKey: key,
      saslUsers: users,
      saslMechanisms: 'plain,scram-sha-512',
    });
    expect(both.tls?.cert.toString()).toBe('CERT');
    expect(both.tls?.clientCa).toBeUndefined();
    expect(both.sasl).toEqual({ users: { ledger: 'pw' }, mechanisms: ['PLAIN', 'SCRAM-SHA-512'] });
    expect(() => listenerSecurity({ tlsCert: cert })).toThrow('--tls-cert and --tls-key go together');
    expect(() => listenerSecurity({ tlsClientCa: cert })).toThrow('--tls-client-ca needs');
    expect(() => listenerSecurity({ saslMechanisms: 'plain' })).toThrow(
      '--sasl-mechanisms needs --sasl-users',
    );
    expect(() => listenerSecurity({ saslUsers: users, saslMechanisms: 'gssapi' })).toThrow(
      'unknown SASL mechanism GSSAPI',
    );
  });
});
