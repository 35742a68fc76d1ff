import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { ConfigError } from './config-error';

const HIDDEN = '[secret]';

/**
 * A password or private key. It prints, serialises and inspects as `[secret]`, so a configuration object that
 * ends up in a log line or an error report never carries the value; `reveal()` is called only where a client is
 * handed its credentials.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return HIDDEN;
  }

  toJSON(): string {
    return HIDDEN;
  }

  [inspect.custom](): string {
    return HIDDEN;
  }
}

/**
 * A setting that may be a secret or a PEM document: `NAME` holds the value, or `NAME_FILE` the path of a file
 * holding it (how Docker and Kubernetes mount secrets). Both at once is an error, so an operator never wonders
 * which one won. Trailing line breaks of a file are dropped (editors and `echo` add one).
 */
export function fileOrEnvSetting(env: NodeJS.ProcessEnv, name: string): string | null {
  const inline = env[name];
  const path = env[`${name}_FILE`];
  const hasInline = inline !== undefined && inline !== '';
  const hasPath = path !== undefined && path !== '';
  if (hasInline && hasPath) throw new ConfigError(`set ${name} or ${name}_FILE, not both`);
  if (hasInline) return inline;
  if (!hasPath) return null;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ConfigError(`${name}_FILE: cannot read ${path} (${code})`);
  }
  const value = text.replace(/[\r\n]+$/, '');
  if (value === '') throw new ConfigError(`${name}_FILE: ${path} is empty`);
  return value;
}

export function secretSetting(env: NodeJS.ProcessEnv, name: string): Secret | null {
  const value = fileOrEnvSetting(env, name);
  return value === null ? null : new Secret(value);
}

/** The same URL with its password replaced, for log lines and error messages. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    // Not a URL: say nothing of it rather than risk echoing a credential.
    return '(unparseable URL)';
  }
}
