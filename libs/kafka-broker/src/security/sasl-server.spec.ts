import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { SaslAuthority, SaslFailure } from './sasl-server';

const authority = new SaslAuthority({ users: { ledger: 'pencil', 'a,b=c': 'secret' } });

/** The client side of RFC 5802, written out so each message can be bent. */
function scramClient(mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512', user: string, password: string) {
  const hash = mechanism === 'SCRAM-SHA-256' ? 'sha256' : 'sha512';
  const length = hash === 'sha256' ? 32 : 64;
  const clientNonce = 'rOprNGfwEbeRWgbNEkqO';
  const bare = `n=${user.replace(/=/g, '=3D').replace(/,/g, '=2C')},r=${clientNonce}`;
  return {
    first: `n,,${bare}`,
    final(serverFirst: string, tweak: { nonce?: string; channel?: string } = {}) {
      const attrs = Object.fromEntries(serverFirst.split(',').map((kv) => [kv[0], kv.slice(2)]));
      const salted = pbkdf2Sync(password, Buffer.from(attrs.s, 'base64'), Number(attrs.i), length, hash);
      const clientKey = createHmac(hash, salted).update('Client Key').digest();
      const storedKey = createHash(hash).update(clientKey).digest();
      const withoutProof = `c=${tweak.channel ?? 'biws'},r=${tweak.nonce ?? attrs.r}`;
      const authMessage = `${bare},${serverFirst},${withoutProof}`;
      const signature = createHmac(hash, storedKey).update(authMessage).digest();
      const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i])).toString('base64');
      const serverKey = createHmac(hash, salted).update('Server Key').digest();
      return {
        message: `${withoutProof},p=${proof}`,
        serverSignature: createHmac(hash, serverKey).update(authMessage).digest('base64'),
      };
    },
  };
}

const text = (b: Buffer): string => b.toString('utf8');

describe('SASL server', () => {
  it.each(['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const)(
    '%s: a proof checks out and the server proves itself',
    (m) => {
      for (const [user, password] of [
        ['ledger', 'pencil'],
        ['a,b=c', 'secret'],
      ]) {
        const exchange = authority.begin(m);
        const client = scramClient(m, user, password);
        const serverFirst = text(exchange.evaluate(Buffer.from(client.first)));
        expect(serverFirst).toMatch(/^r=rOprNGfwEbeRWgbNEkqO[A-Za-z0-9+/=]+,s=[A-Za-z0-9+/=]+,i=4096$/);
        const final = client.final(serverFirst);
        expect(text(exchange.evaluate(Buffer.from(final.message)))).toBe(`v=${final.serverSignature}`);
        expect(exchange.principal).toBe(user);
        expect(() => exchange.evaluate(Buffer.from(final.message))).toThrow(SaslFailure);
      }
    },
  );

  it('SCRAM refuses a wrong password, a foreign nonce, channel binding and a bad name encoding', () => {
    const attempt = (
      first: string,
      tweak: { password?: string; nonce?: string; channel?: string } = {},
    ): (() => void) => {
      const exchange = authority.begin('SCRAM-SHA-256');
      return () => {
        const serverFirst = text(exchange.evaluate(Buffer.from(first)));
        const client = scramClient('SCRAM-SHA-256', 'ledger', tweak.password ?? 'pencil');
        exchange.evaluate(Buffer.from(client.final(serverFirst, tweak).message));
      };
    };
    const first = scramClient('SCRAM-SHA-256', 'ledger', 'pencil').first;
    expect(attempt(first, { password: 'pencil!' })).toThrow(
      'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256',
    );
    expect(attempt(first, { nonce: 'rOprNGfwEbeRWgbNEkqOforged' })).toThrow('nonce mismatch');
    expect(attempt(first, { channel: Buffer.from('y,,').toString('base64') })).toThrow('channel binding');
    expect(attempt(first.replace('n,,', 'p=tls-unique,,'))).toThrow('channel binding is not supported');
    expect(attempt('n,,n=led=41ger,r=abc')).toThrow('Invalid username encoding');
    expect(attempt('n,a=other,n=ledger,r=abc')).toThrow('authorization id');
    expect(attempt('n,,n=nobody,r=abc')).toThrow('invalid credentials');
    expect(attempt('hello')).toThrow('Invalid SCRAM client first message');
  });

  it('PLAIN: authzid empty or the user itself; three tokens; the password compared', () => {
    const plain = (token: string): string | null => {
      const exchange = authority.begin('PLAIN');
      expect(text(exchange.evaluate(Buffer.from(token)))).toBe('');
      return exchange.principal;
    };
    expect(plain('\0ledger\0pencil')).toBe('ledger');
    expect(plain('ledger\0ledger\0pencil')).toBe('ledger');
    expect(() => plain('admin\0ledger\0pencil')).toThrow('authorization id');
    expect(() => plain('\0ledger\0pencil2')).toThrow('invalid credentials with SASL mechanism PLAIN');
    expect(() => plain('ledger\0pencil')).toThrow('expected 3 tokens');
  });

  it('offers only the mechanisms it is given', () => {
    expect(new SaslAuthority({ users: {}, mechanisms: ['PLAIN'] }).mechanisms).toEqual(['PLAIN']);
    expect(() => new SaslAuthority({ users: {}, mechanisms: ['GSSAPI' as 'PLAIN'] })).toThrow('GSSAPI');
  });
});
