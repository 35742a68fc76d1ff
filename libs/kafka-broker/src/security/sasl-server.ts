import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

export const BROKER_SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type BrokerSaslMechanism = (typeof BROKER_SASL_MECHANISMS)[number];

export interface BrokerSaslOptions {
  /** Mechanisms the listener offers; default all three. */
  mechanisms?: BrokerSaslMechanism[];
  /** Users and their passwords (Kafka's `listener.name.*.plain.sasl.jaas.config` / SCRAM credentials). */
  users: Record<string, string>;
}

/** Kafka's own answer to any failed exchange: the same words whether the user is unknown or the password wrong. */
export function authenticationFailed(mechanism: BrokerSaslMechanism): string {
  return `Authentication failed during authentication due to invalid credentials with SASL mechanism ${mechanism}`;
}

export class SaslFailure extends Error {}

/** SCRAM-SHA-* as Kafka stores it: salt, iterations, StoredKey and ServerKey, never the password (RFC 5802 §3). */
interface ScramCredential {
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

const SCRAM_ITERATIONS = 4096; // Kafka's default, and kafkajs' minimum

const DIGEST: Record<'SCRAM-SHA-256' | 'SCRAM-SHA-512', { hash: 'sha256' | 'sha512'; length: number }> = {
  'SCRAM-SHA-256': { hash: 'sha256', length: 32 },
  'SCRAM-SHA-512': { hash: 'sha512', length: 64 },
};

function scramCredential(password: string, mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512'): ScramCredential {
  const { hash, length } = DIGEST[mechanism];
  const salt = randomBytes(16);
  const salted = pbkdf2Sync(password, salt, SCRAM_ITERATIONS, length, hash);
  const clientKey = createHmac(hash, salted).update('Client Key').digest();
  return {
    salt,
    iterations: SCRAM_ITERATIONS,
    storedKey: createHash(hash).update(clientKey).digest(),
    serverKey: createHmac(hash, salted).update('Server Key').digest(),
  };
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The listener's users and mechanisms; makes one exchange per SaslHandshake. */
export class SaslAuthority {
  readonly mechanisms: readonly BrokerSaslMechanism[];
  private readonly plain = new Map<string, Buffer>();
  private readonly scram = new Map<string, ScramCredential>();

  constructor(opts: BrokerSaslOptions) {
    this.mechanisms = opts.mechanisms ?? BROKER_SASL_MECHANISMS;
    for (const m of this.mechanisms) {
      if (!BROKER_SASL_MECHANISMS.includes(m)) throw new Error(`unsupported SASL mechanism ${m}`);
    }
    for (const [user, password] of Object.entries(opts.users)) {
      // A digest keeps the comparison constant-time whatever the lengths.
      this.plain.set(user, createHash('sha256').update(password).digest());
      for (const m of ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
        if (this.mechanisms.includes(m)) this.scram.set(`${m}\0${user}`, scramCredential(password, m));
      }
    }
  }

  begin(mechanism: BrokerSaslMechanism): SaslExchange {
    return mechanism === 'PLAIN'
      ? new PlainExchange(this.plain)
      : new ScramExchange(mechanism, (user) => this.scram.get(`${mechanism}\0${user}`));
  }
}

/** One authentication: tokens in, tokens out, until `principal` is set; throws SaslFailure to refuse. */
export interface SaslExchange {
  readonly principal: string | null;
  evaluate(token: Buffer): Buffer;
}

/** RFC 4616: `authzid NUL authcid NUL passwd`; Kafka accepts an authzid only when it equals the user. */
class PlainExchange implements SaslExchange {
  principal: string | null = null;

  constructor(private readonly users: ReadonlyMap<string, Buffer>) {}

  evaluate(token: Buffer): Buffer {
    if (this.principal !== null) throw new SaslFailure('PLAIN exchange already complete');
    const parts = token.toString('utf8').split('\0');
    if (parts.length !== 3) throw new SaslFailure('Invalid SASL/PLAIN request: expected 3 tokens');
    const [authzid, user, password] = parts;
    if (authzid !== '' && authzid !== user) {
      throw new SaslFailure(
        'Authentication failed: Client requested an authorization id that is different from username',
      );
    }
    const expected = this.users.get(user);
    const given = createHash('sha256').update(password).digest();
    if (!expected || !sameBytes(expected, given)) throw new SaslFailure(authenticationFailed('PLAIN'));
    this.principal = user;
    return Buffer.alloc(0);
  }
}

/** RFC 5802 attributes `k=v` separated by commas. */
function attributes(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(',')) {
    const m = /^([a-zA-Z])=(.*)$/s.exec(part);
    if (!m) throw new SaslFailure(`Invalid SCRAM attribute "${part.slice(0, 20)}"`);
    out.set(m[1], m[2]);
  }
  return out;
}

/** saslname: "=2C" is ',' and "=3D" is '='; any other '=' fails the exchange (RFC 5802 §5.1). */
function decodeSaslName(name: string): string {
  if (/=(?!2C|3D)/.test(name)) throw new SaslFailure('Invalid username encoding');
  return name.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

/**
 * The server side of SCRAM-SHA-256/512 as Kafka runs it (RFC 5802, RFC 7677): client-first → server-first
 * (combined nonce, salt, iterations) → client-final with the proof → server-final with the server signature.
 * No channel binding (gs2 flag `n` or `y`), as Kafka.
 */
class ScramExchange implements SaslExchange {
  principal: string | null = null;
  private step: 'first' | 'final' | 'done' = 'first';
  private user = '';
  private credential: ScramCredential | null = null;
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';
  private gs2Header = '';

  constructor(
    private readonly mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512',
    private readonly lookup: (user: string) => ScramCredential | undefined,
  ) {}

  evaluate(token: Buffer): Buffer {
    switch (this.step) {
      case 'first':
        return this.clientFirst(token.toString('utf8'));
      case 'final':
        return this.clientFinal(token.toString('utf8'));
      case 'done':
        throw new SaslFailure(`${this.mechanism} exchange already complete`);
    }
  }

  private clientFirst(message: string): Buffer {
    // gs2-header = gs2-cbind-flag "," [ authzid ] ","
    const m = /^([ny]|p=[^,]*),(a=[^,]*)?,(.*)$/s.exec(message);
    if (!m) throw new SaslFailure('Invalid SCRAM client first message');
    if (m[1].startsWith('p=')) throw new SaslFailure('SCRAM channel binding is not supported');
    this.gs2Header = `${m[1]},${m[2] ?? ''},`;
    this.clientFirstBare = m[3];
    const attrs = attributes(this.clientFirstBare);
    if (attrs.has('m')) throw new SaslFailure('SCRAM mandatory extensions are not supported');
    if (attrs.get('tokenauth') !== undefined) throw new SaslFailure('Delegation tokens are not supported');
    const user = decodeSaslName(attrs.get('n') ?? '');
    const clientNonce = attrs.get('r') ?? '';
    if (user === '' || clientNonce === '') throw new SaslFailure('Invalid SCRAM client first message');
    if (m[2] && decodeSaslName(m[2].slice(2)) !== user) {
      throw new SaslFailure(
        'Authentication failed: Client requested an authorization id that is different from username',
      );
    }
    const credential = this.lookup(user);
    // Kafka refuses an unknown user here, with the same words as a wrong password.
    if (!credential) throw new SaslFailure(authenticationFailed(this.mechanism));
    this.user = user;
    this.credential = credential;
    this.nonce = clientNonce + randomBytes(18).toString('base64');
    this.serverFirst = `r=${this.nonce},s=${credential.salt.toString('base64')},i=${credential.iterations}`;
    this.step = 'final';
    return Buffer.from(this.serverFirst, 'utf8');
  }

  private clientFinal(message: string): Buffer {
    const credential = this.credential as ScramCredential;
    const proofAt = message.lastIndexOf(',p=');
    if (proofAt < 0) throw new SaslFailure('Invalid SCRAM client final message: no proof');
    const withoutProof = message.slice(0, proofAt);
    const attrs = attributes(withoutProof);
    if (attrs.get('c') !== Buffer.from(this.gs2Header, 'utf8').toString('base64')) {
      throw new SaslFailure('Invalid SCRAM client final message: channel binding does not match');
    }
    if (attrs.get('r') !== this.nonce)
      throw new SaslFailure('Invalid SCRAM client final message: nonce mismatch');
    const { hash } = DIGEST[this.mechanism];
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const clientSignature = createHmac(hash, credential.storedKey).update(authMessage).digest();
    const proof = Buffer.from(message.slice(proofAt + 3), 'base64');
    if (proof.length !== clientSignature.length) throw new SaslFailure(authenticationFailed(this.mechanism));
    const clientKey = Buffer.alloc(proof.length);
    for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i] ^ clientSignature[i];
    if (!sameBytes(createHash(hash).update(clientKey).digest(), credential.storedKey)) {
      throw new SaslFailure(authenticationFailed(this.mechanism));
    }
    const serverSignature = createHmac(hash, credential.serverKey).update(authMessage).digest('base64');
    this.step = 'done';
    this.principal = this.user;
    return Buffer.from(`v=${serverSignature}`, 'utf8');
  }
}
