import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, fileOrEnvSetting } from '@credit-ledger/config';

export const MASTER_KEY_SETTING = 'PERSONAL_DATA_MASTER_KEY';
/** Where a development process keeps the key it generated when none is configured (never in production). */
export const DEV_KEY_FILE = '.personal-data-dev.key';
const KEY_BYTES = 32;

/**
 * The master keys that wrap the customers' data keys, by version. The highest version is current: new data keys
 * are wrapped with it and `rotate` rewraps older ones; the older versions stay so that keys not yet rewrapped
 * (or restored from a backup) still open. Key material never prints.
 */
export class MasterKeyring {
  readonly #keys: Map<number, Buffer>;
  readonly current: number;

  constructor(
    keys: Map<number, Buffer>,
    readonly origin: 'configured' | 'development',
  ) {
    if (keys.size === 0) throw new ConfigError(`${MASTER_KEY_SETTING}: no key`);
    this.#keys = new Map(keys);
    this.current = Math.max(...keys.keys());
  }

  key(version: number): Buffer | null {
    return this.#keys.get(version) ?? null;
  }

  get versions(): number[] {
    return [...this.#keys.keys()].sort((a, b) => a - b);
  }

  toJSON(): string {
    return `[master keys v${this.versions.join(',v')}]`;
  }
}

/**
 * Reads a keyring: entries `VERSION:BASE64` (32 bytes each) separated by commas, spaces or line breaks; a single
 * entry without `VERSION:` is version 1. Example: `2:…,1:…` (rotation: add the new version, keep the old ones).
 */
export function parseMasterKeys(text: string, origin: MasterKeyring['origin'] = 'configured'): MasterKeyring {
  const keys = new Map<number, Buffer>();
  const entries = text.split(/[\s,]+/).filter((e) => e !== '');
  for (const entry of entries) {
    const m = /^(?:(\d{1,6}):)?([A-Za-z0-9+/_-]+={0,2})$/.exec(entry);
    if (!m) throw new ConfigError(`${MASTER_KEY_SETTING}: an entry is not VERSION:BASE64`);
    if (m[1] === undefined && entries.length > 1)
      throw new ConfigError(`${MASTER_KEY_SETTING}: with several keys, each needs its VERSION:`);
    const version = m[1] === undefined ? 1 : Number(m[1]);
    const key = Buffer.from(m[2], 'base64');
    if (version < 1) throw new ConfigError(`${MASTER_KEY_SETTING}: versions start at 1`);
    if (key.length !== KEY_BYTES)
      throw new ConfigError(
        `${MASTER_KEY_SETTING}: key version ${version} is ${key.length} bytes, expected ${KEY_BYTES} (openssl rand -base64 32)`,
      );
    if (keys.has(version)) throw new ConfigError(`${MASTER_KEY_SETTING}: version ${version} given twice`);
    keys.set(version, key);
  }
  return new MasterKeyring(keys, origin);
}

/**
 * The keyring from `PERSONAL_DATA_MASTER_KEY` or `PERSONAL_DATA_MASTER_KEY_FILE`. With neither, production
 * (`NODE_ENV=production`) refuses to start; anything else uses a development key generated once into
 * `.personal-data-dev.key` in the working directory, so `npm run up` and the tests work out of the box and a
 * restart still opens what was sealed before.
 */
export function loadMasterKeyring(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): MasterKeyring {
  const configured = fileOrEnvSetting(env, MASTER_KEY_SETTING);
  if (configured !== null) return parseMasterKeys(configured);
  if (env.NODE_ENV === 'production') {
    throw new ConfigError(
      `${MASTER_KEY_SETTING} (or ${MASTER_KEY_SETTING}_FILE) is required when NODE_ENV=production: personal data is sealed with it`,
    );
  }
  return parseMasterKeys(developmentKey(resolve(cwd, DEV_KEY_FILE)), 'development');
}

function developmentKey(path: string): string {
  try {
    // 'wx': the first process creates it; one racing it reads what the first wrote.
    writeFileSync(path, `1:${randomBytes(KEY_BYTES).toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  for (let attempt = 0; ; attempt++) {
    const text = readFileSync(path, 'utf8').trim();
    if (text !== '' || attempt > 50) return text;
  }
}
