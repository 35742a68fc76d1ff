import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { TestCertificates } from '@credit-ledger/testing';

/** A port nothing listens on right now (the OS picks it; the caller binds it next). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}:\n${log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`port ${port} never opened:\n${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface SecuredRedis {
  /** `redis://127.0.0.1:<port>`, password-protected. */
  port: number;
  /** `rediss://127.0.0.1:<tlsPort>` with the test CA; null when not asked for. */
  tlsPort: number | null;
  stop(): Promise<void>;
}

/**
 * A second redis-server of our own (never the shared one on 6379): `requirepass` for the default user, an ACL
 * user limited to keys under `keyPattern` (no admin commands), and optionally a TLS port with the test CA.
 * Nothing is persisted; stop() terminates it.
 */
export async function startSecuredRedis(opts: {
  password: string;
  user: { name: string; password: string; keyPattern: string };
  certs?: TestCertificates;
}): Promise<SecuredRedis> {
  const port = await freePort();
  const tlsPort = opts.certs ? await freePort() : null;
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--requirepass',
    opts.password,
    '--user',
    opts.user.name,
    'on',
    `>${opts.user.password}`,
    `~${opts.user.keyPattern}`,
    '&*',
    '+@all',
    '-@admin',
  ];
  if (opts.certs && tlsPort !== null) {
    args.push(
      '--tls-port',
      String(tlsPort),
      '--tls-cert-file',
      opts.certs.server.certFile,
      '--tls-key-file',
      opts.certs.server.keyFile,
      '--tls-ca-cert-file',
      opts.certs.caFile,
      '--tls-auth-clients',
      'no',
    );
  }
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  await waitForPort(port, child, () => output);
  if (tlsPort !== null) await waitForPort(tlsPort, child, () => output);
  return {
    port,
    tlsPort,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface TlsPostgres {
  port: number;
  /** The superuser over the cluster's own Unix socket (trust), for setting up roles. */
  admin(): Promise<Client>;
  stop(): Promise<void>;
}

function postgresBin(name: string): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) {
    const p = path.join(root, v, 'bin', name);
    if (existsSync(p)) return p;
  }
  return name; // on PATH
}

/** initdb and postgres refuse to run as root: as root, run them as the `postgres` system user. */
function runAs(): { uid: number; gid: number } | Record<string, never> {
  if (process.getuid?.() !== 0) return {};
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

/**
 * A throwaway PostgreSQL cluster (never the shared one on 5432) in a temp directory, on its own port, that
 * accepts TCP connections only over TLS (`hostssl`, SCRAM passwords; `hostnossl … reject`) with the test
 * CA's server certificate. Its superuser is reachable without TLS only through the cluster's own socket.
 */
export async function startTlsPostgres(certs: TestCertificates): Promise<TlsPostgres> {
  const user = runAs();
  const dir = mkdtempSync(path.join(tmpdir(), 'cl-pg-tls-'));
  const data = path.join(dir, 'data');
  if ('uid' in user) chownSync(dir, user.uid, user.gid);
  const run = (bin: string, args: string[]): void => {
    execFileSync(postgresBin(bin), args, { ...user, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  };
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  for (const [from, to] of [
    [certs.server.certFile, 'server.crt'],
    [certs.server.keyFile, 'server.key'],
  ]) {
    const target = path.join(data, to);
    copyFileSync(from, target);
    chmodSync(target, 0o600);
    if ('uid' in user) chownSync(target, user.uid, user.gid);
  }
  const port = await freePort();
  writeFileSync(
    path.join(data, 'postgresql.auto.conf'),
    [
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${dir}'`,
      'ssl = on',
      "ssl_cert_file = 'server.crt'",
      "ssl_key_file = 'server.key'",
      "password_encryption = 'scram-sha-256'",
      'fsync = off',
      'max_connections = 40',
      'shared_buffers = 16MB',
      '',
    ].join('\n'),
  );
  writeFileSync(
    path.join(data, 'pg_hba.conf'),
    [
      'local all all trust',
      'hostssl all all 127.0.0.1/32 scram-sha-256',
      'hostnossl all all 127.0.0.1/32 reject',
      '',
    ].join('\n'),
  );
  run('pg_ctl', ['-D', data, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  return {
    port,
    admin: async () => {
      const c = new Client({ host: dir, port, user: 'postgres', database: 'postgres' });
      await c.connect();
      return c;
    },
    stop: async () => {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
