/**
 * A growable FIFO of bytes with big-endian peeks, shared by the streaming
 * decoders. Private to `src/binary`.
 *
 * @module
 */

const SHRINK_ABOVE = 256 * 1024;

/** Bytes pushed but not yet consumed, kept contiguous. */
export class ByteQueue {
  #buf: Uint8Array = new Uint8Array(0);
  #start = 0;
  #end = 0;

  /** Number of buffered bytes. */
  get length(): number {
    return this.#end - this.#start;
  }

  /**
   * Appends a copy of `chunk`.
   *
   * @param chunk bytes to append
   */
  push(chunk: Uint8Array): void {
    const n = chunk.length;
    if (n === 0) return;
    if (this.#end + n > this.#buf.length) {
      const live = this.#end - this.#start;
      if (live + n <= this.#buf.length) {
        this.#buf.copyWithin(0, this.#start, this.#end);
      } else {
        const next = new Uint8Array(
          Math.max(live + n, this.#buf.length * 2, 4096),
        );
        next.set(this.#buf.subarray(this.#start, this.#end));
        this.#buf = next;
      }
      this.#start = 0;
      this.#end = live;
    }
    this.#buf.set(chunk, this.#end);
    this.#end += n;
  }

  /**
   * Reads a byte.
   *
   * @param i index relative to the first buffered byte
   * @returns the byte there
   */
  u8(i: number): number {
    return this.#buf[this.#start + i];
  }

  /**
   * Reads a big-endian u16.
   *
   * @param i index relative to the first buffered byte
   * @returns the big-endian u16 there
   */
  u16(i: number): number {
    const b = this.#buf, p = this.#start + i;
    return (b[p] << 8) | b[p + 1];
  }

  /**
   * Reads a big-endian u32.
   *
   * @param i index relative to the first buffered byte
   * @returns the big-endian u32 there
   */
  u32(i: number): number {
    const b = this.#buf, p = this.#start + i;
    return ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>>
      0;
  }

  /**
   * Copies a range.
   *
   * @param from start, relative to the first buffered byte
   * @param to end (exclusive), relative to the first buffered byte
   * @returns a copy of those bytes
   */
  copy(from: number, to: number): Uint8Array {
    return this.#buf.slice(this.#start + from, this.#start + to);
  }

  /**
   * Views a range without copying.
   *
   * @param from start, relative to the first buffered byte
   * @param to end (exclusive), relative to the first buffered byte
   * @returns a view of those bytes, valid until the next `push`
   */
  view(from: number, to: number): Uint8Array {
    return this.#buf.subarray(this.#start + from, this.#start + to);
  }

  /**
   * Drops `n` bytes from the front.
   *
   * @param n bytes to drop (at most `length`)
   */
  skip(n: number): void {
    this.#start += n;
    if (this.#start >= this.#end) this.clear();
  }

  /** Drops everything (and a large buffer with it). */
  clear(): void {
    this.#start = 0;
    this.#end = 0;
    if (this.#buf.length > SHRINK_ABOVE) this.#buf = new Uint8Array(0);
  }
}
