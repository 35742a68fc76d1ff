import fc from 'fast-check';
import { canonicalJson } from './canonical-json';
import { DomainError } from './errors';

describe('canonicalJson', () => {
  it('sorts keys, writes bigint as strings and omits undefined', () => {
    expect(canonicalJson({ b: 1, a: [3n, 'x', null, { d: true, c: undefined }], é: 0, Z: -1.5 })).toBe(
      '{"Z":-1.5,"a":["3","x",null,{"d":true}],"b":1,"é":0}',
    );
  });

  it('is independent of insertion order', () => {
    expect(canonicalJson({ x: 1, y: { q: 2, p: 3 } })).toBe(canonicalJson({ y: { p: 3, q: 2 }, x: 1 }));
  });

  it('refuses values JSON cannot carry exactly', () => {
    expect(() => canonicalJson({ a: NaN })).toThrow(DomainError);
    expect(() => canonicalJson({ a: new Map() })).toThrow(DomainError);
    expect(() => canonicalJson([undefined])).toThrow(DomainError);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(DomainError);
  });

  it('names the path of a value it refuses', () => {
    expect(() => canonicalJson({ a: [1, { b: Infinity }] })).toThrow('$.a[1].b: Infinity is not finite');
  });

  it('equals a sorted-key JSON.stringify for any JSON value (escapes, surrogates, numbers)', () => {
    // Reference: JSON.stringify for leaves, keys sorted by hand (an object would put integer-like keys first).
    const reference = (v: unknown): string =>
      Array.isArray(v)
        ? `[${v.map(reference).join(',')}]`
        : v !== null && typeof v === 'object'
          ? `{${Object.keys(v)
              .sort()
              .map((k) => `${JSON.stringify(k)}:${reference((v as Record<string, unknown>)[k])}`)
              .join(',')}}`
          : JSON.stringify(v);
    const text = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.constantFrom('\u2028', '\ud800', 'a"b\\c\n'),
    );
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        text,
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(text, tie('value'), { maxKeys: 5 }),
      ),
    })).value;
    fc.assert(
      fc.property(json, (v) => {
        expect(canonicalJson(v)).toBe(reference(v));
      }),
      { numRuns: 500 },
    );
  });

  it('given any string or finite number, when written, then the bytes are those of JSON.stringify', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary' }),
          fc.string({ unit: 'grapheme' }),
          fc.constantFrom('"', '\\', '\u0000', '\u001f', '\u2028', '\ud800', 'a\udc00b', '😀', '\u007f'),
        ),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        (text, n) => {
          expect(canonicalJson(text)).toBe(JSON.stringify(text));
          expect(canonicalJson({ [text]: n })).toBe(JSON.stringify({ [text]: n }));
        },
      ),
      { numRuns: 2000 },
    );
    expect(canonicalJson([-0, 1e21, 5e-7, 0.1])).toBe('[0,1e+21,5e-7,0.1]');
  });
});
