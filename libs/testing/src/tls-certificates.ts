import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface PemPair {
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
}

/**
 * A throwaway PKI for tests, made with the openssl command: a CA, a server certificate it signed for
 * `localhost` and `127.0.0.1`, a client certificate it signed (mutual TLS), and an unrelated CA that trusts
 * none of them (the "wrong CA" case). Files live in `dir`; `remove()` deletes them.
 */
export interface TestCertificates {
  dir: string;
  ca: string;
  caFile: string;
  server: PemPair;
  client: PemPair;
  otherCa: string;
  otherCaFile: string;
  remove(): void;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** EC P-256 keys: quick to make, and every server here (Node, Redis, PostgreSQL) accepts them. */
const NEW_KEY = '-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes';

/** Space-separated arguments (none of these contains a space). */
const words = (s: string): string[] => s.split(' ');

function makeCa(dir: string, name: string, subject: string): void {
  const extensions = [
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ];
  openssl(
    [
      ...words(`req -x509 ${NEW_KEY} -keyout ${name}.key -out ${name}.pem -days 2`),
      '-subj',
      subject,
      ...extensions,
    ],
    dir,
  );
}

function makeSigned(dir: string, name: string, subject: string, extensions: string): PemPair {
  openssl([...words(`req ${NEW_KEY} -keyout ${name}.key -out ${name}.csr`), '-subj', subject], dir);
  writeFileSync(path.join(dir, `${name}.ext`), extensions);
  const serial = String(Date.now());
  openssl(
    words(
      `x509 -req -in ${name}.csr -CA ca.pem -CAkey ca.key -set_serial ${serial} -days 2 ` +
        `-extfile ${name}.ext -out ${name}.pem`,
    ),
    dir,
  );
  const certFile = path.join(dir, `${name}.pem`);
  const keyFile = path.join(dir, `${name}.key`);
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile, keyFile };
}

export function makeTestCertificates(clientName = 'credit-ledger'): TestCertificates {
  const dir = mkdtempSync(path.join(tmpdir(), 'cl-tls-'));
  makeCa(dir, 'ca', '/CN=credit-ledger test CA');
  makeCa(dir, 'other-ca', '/CN=an unrelated CA');
  const server = makeSigned(
    dir,
    'server',
    '/CN=localhost',
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' +
      'keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n',
  );
  const client = makeSigned(
    dir,
    'client',
    `/CN=${clientName}`,
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n',
  );
  const caFile = path.join(dir, 'ca.pem');
  const otherCaFile = path.join(dir, 'other-ca.pem');
  return {
    dir,
    ca: readFileSync(caFile, 'utf8'),
    caFile,
    server,
    client,
    otherCa: readFileSync(otherCaFile, 'utf8'),
    otherCaFile,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
