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
});
