/**
 * Checks of the mock servers' numeric options. Private to `src/server`.
 *
 * @module
 */

/**
 * Checks an optional count (a non-negative safe integer).
 *
 * @param value the option's value
 * @param what the option's name, for the error
 * @returns `value`, unchanged
 * @throws {RangeError} when `value` is set but not a count
 */
export function count(
  value: number | undefined,
  what: string,
): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(
      `${what} must be a non-negative integer, got ${value}`,
    );
  }
  return value;
}
