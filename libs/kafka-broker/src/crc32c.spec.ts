import { crc32c } from './crc32c';

describe('crc32c', () => {
  it('matches the standard check value', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  it('matches RFC 3720 test vectors', () => {
    expect(crc32c(Buffer.alloc(32, 0))).toBe(0x8a9136aa);
    expect(crc32c(Buffer.alloc(32, 0xff))).toBe(0x62a8ab43);
    const inc = Buffer.alloc(32);
    for (let i = 0; i < 32; i++) inc[i] = i;
    expect(crc32c(inc)).toBe(0x46dd794e);
  });

  it('handles empty input and sub-ranges', () => {
    expect(crc32c(Buffer.alloc(0))).toBe(0);
    const buf = Buffer.from('xx123456789yy');
    expect(crc32c(buf, 2, 11)).toBe(0xe3069283);
  });

  it('agrees with a bytewise reference for random lengths', () => {
    const ref = (b: Buffer): number => {
      let c = ~0;
      for (const x of b) {
        c ^= x;
        for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
      }
      return ~c >>> 0;
    };
    for (let len = 0; len < 70; len++) {
      const b = Buffer.alloc(len);
      for (let i = 0; i < len; i++) b[i] = (i * 31 + len) & 0xff;
      expect(crc32c(b)).toBe(ref(b));
    }
  });
});
