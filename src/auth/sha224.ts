/**
 * SHA-224 (FIPS 180-4), HMAC-SHA-224 and PBKDF2-HMAC-SHA-224 in plain
 * TypeScript. PBES2 keys may name `hmacWithSHA224` as their PRF, and Deno's
 * WebCrypto does not offer SHA-224; every other PRF goes to WebCrypto.
 *
 * @module
 */

const K = new Int32Array([
  0x428a2f98,
  0x71374491,
  0xb5c0fbcf,
  0xe9b5dba5,
  0x3956c25b,
  0x59f111f1,
  0x923f82a4,
  0xab1c5ed5,
  0xd807aa98,
  0x12835b01,
  0x243185be,
  0x550c7dc3,
  0x72be5d74,
  0x80deb1fe,
  0x9bdc06a7,
  0xc19bf174,
  0xe49b69c1,
  0xefbe4786,
  0x0fc19dc6,
  0x240ca1cc,
  0x2de92c6f,
  0x4a7484aa,
  0x5cb0a9dc,
  0x76f988da,
  0x983e5152,
  0xa831c66d,
  0xb00327c8,
  0xbf597fc7,
  0xc6e00bf3,
  0xd5a79147,
  0x06ca6351,
  0x14292967,
  0x27b70a85,
  0x2e1b2138,
  0x4d2c6dfc,
  0x53380d13,
  0x650a7354,
  0x766a0abb,
  0x81c2c92e,
  0x92722c85,
  0xa2bfe8a1,
  0xa81a664b,
  0xc24b8b70,
  0xc76c51a3,
  0xd192e819,
  0xd6990624,
  0xf40e3585,
  0x106aa070,
  0x19a4c116,
  0x1e376c08,
  0x2748774c,
  0x34b0bcb5,
  0x391c0cb3,
  0x4ed8aa4a,
  0x5b9cca4f,
  0x682e6ff3,
  0x748f82ee,
  0x78a5636f,
  0x84c87814,
  0x8cc70208,
  0x90befffa,
  0xa4506ceb,
  0xbef9a3f7,
  0xc67178f2,
]);

// SHA-224 initial hash value (FIPS 180-4, 5.3.2).
const IV = [
  0xc1059ed8,
  0x367cd507,
  0x3070dd17,
  0xf70e5939,
  0xffc00b31,
  0x68581511,
  0x64f98fa7,
  0xbefa4fa4,
];

/** SHA-224 over the concatenation of `parts`. */
function digest(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const padded = new Uint8Array(((length + 8) >>> 6 << 6) + 64);
  let offset = 0;
  for (const part of parts) {
    padded.set(part, offset);
    offset += part.length;
  }
  padded[length] = 0x80;
  const view = new DataView(padded.buffer);
  const bits = length * 8;
  view.setUint32(padded.length - 8, Math.floor(bits / 0x100000000));
  view.setUint32(padded.length - 4, bits >>> 0);

  const h = Int32Array.from(IV);
  const w = new Int32Array(64);
  for (let off = 0; off < padded.length; off += 64) {
    for (let t = 0; t < 16; t++) w[t] = view.getInt32(off + 4 * t);
    for (let t = 16; t < 64; t++) {
      const x = w[t - 15];
      const y = w[t - 2];
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^
        (y >>> 10);
      w[t] = (w[t - 16] + s0 + w[t - 7] + s1) | 0;
    }
    let a = h[0], b = h[1], c = h[2], d = h[3];
    let e = h[4], f = h[5], g = h[6], hh = h[7];
    for (let t = 0; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^
        ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (hh + S1 + ch + K[t] + w[t]) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^
        ((a >>> 22) | (a << 10));
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) | 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
  }
  const out = new Uint8Array(28);
  const outView = new DataView(out.buffer);
  for (let i = 0; i < 7; i++) outView.setInt32(4 * i, h[i]);
  return out;
}

/**
 * Computes the SHA-224 digest of `data`.
 *
 * @param data the message
 * @returns the 28-byte digest
 */
export function sha224(data: Uint8Array): Uint8Array {
  if (!(data instanceof Uint8Array)) {
    throw new TypeError("sha224 needs a Uint8Array");
  }
  return digest(data);
}

const BLOCK = 64;

/**
 * Computes HMAC-SHA-224 (RFC 2104).
 *
 * @param key the MAC key (any length)
 * @param data the message
 * @returns the 28-byte MAC
 */
export function hmacSha224(key: Uint8Array, data: Uint8Array): Uint8Array {
  if (!(key instanceof Uint8Array) || !(data instanceof Uint8Array)) {
    throw new TypeError("hmacSha224 needs Uint8Arrays");
  }
  const [inner, outer] = pads(key);
  return digest(outer, digest(inner, data));
}

function pads(key: Uint8Array): [Uint8Array, Uint8Array] {
  const k = new Uint8Array(BLOCK);
  k.set(key.length > BLOCK ? digest(key) : key);
  const inner = new Uint8Array(BLOCK);
  const outer = new Uint8Array(BLOCK);
  for (let i = 0; i < BLOCK; i++) {
    inner[i] = k[i] ^ 0x36;
    outer[i] = k[i] ^ 0x5c;
  }
  return [inner, outer];
}

/**
 * Derives key bytes with PBKDF2 (RFC 8018) using HMAC-SHA-224.
 *
 * @param password the password bytes
 * @param salt the salt
 * @param iterations iteration count (at least 1)
 * @param length bytes wanted (1 to 1024)
 * @returns the derived key
 */
export function pbkdf2HmacSha224(
  password: Uint8Array,
  salt: Uint8Array,
  iterations: number,
  length: number,
): Uint8Array {
  if (!(password instanceof Uint8Array) || !(salt instanceof Uint8Array)) {
    throw new TypeError("pbkdf2HmacSha224 needs Uint8Arrays");
  }
  if (!Number.isSafeInteger(iterations) || iterations < 1) {
    throw new RangeError("iterations must be a positive integer");
  }
  if (!Number.isInteger(length) || length < 1 || length > 1024) {
    throw new RangeError("length must be 1 to 1024 bytes");
  }
  const [inner, outer] = pads(password);
  const out = new Uint8Array(length);
  const index = new Uint8Array(4);
  for (let block = 1, offset = 0; offset < length; block++) {
    new DataView(index.buffer).setUint32(0, block);
    let u = digest(outer, digest(inner, salt, index));
    const t = u.slice();
    for (let i = 1; i < iterations; i++) {
      u = digest(outer, digest(inner, u));
      for (let j = 0; j < t.length; j++) t[j] ^= u[j];
    }
    const take = Math.min(t.length, length - offset);
    out.set(t.subarray(0, take), offset);
    offset += take;
  }
  return out;
}
