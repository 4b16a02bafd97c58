/**
 * What DynamoDB (and a plain JS object) can hold, checked before anything is written: a value that passes
 * a schema's range (`waitHoursBefore ≥ 0`, `leadScore` in 0..1) may still be a number DynamoDB refuses
 * (magnitude below 1e-130 or from 1e125 up: a ValidationException, i.e. a 500 after the request was
 * accepted), or carry a key that names a prototype member (`constructor`, `__proto__`), which code reading
 * settings by name (`settings[key]`) would confuse with Object.prototype's. These checks answer such input as
 * the caller's error, naming the field, before any write.
 */

/** The largest magnitude stored (DynamoDB's own limit is just under 1e126; 1e125 keeps every marshalling exact). */
export const MAX_STORABLE_MAGNITUDE = 1e125;
/** The smallest non-zero magnitude DynamoDB stores. */
export const MIN_STORABLE_MAGNITUDE = 1e-130;

export const UNSTORABLE_NUMBER_MESSAGE = 'must be 0 or a number of magnitude between 1e-130 and 1e125';
export const PROTOTYPE_KEY_MESSAGE = 'is a reserved name (constructor, prototype and __proto__ cannot be keys)';

/** Keys that collide with Object.prototype's members when read from a plain object. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export const isPrototypeKey = (key: string) => PROTOTYPE_KEYS.has(key);

/** A number DynamoDB can store: finite, and 0 or of a magnitude within its range. */
export function isStorableNumber(value: number): boolean {
  if (!Number.isFinite(value)) return false;
  const magnitude = Math.abs(value);
  return magnitude === 0 || (magnitude >= MIN_STORABLE_MAGNITUDE && magnitude < MAX_STORABLE_MAGNITUDE);
}

export interface StorableProblem {
  field: string;
  message: string;
}

/**
 * Every number out of DynamoDB's range and every prototype key in `value`, with its path (`a.b.0.c`, or
 * `whole` for the value itself). Iterative, so any nesting the caller allowed is walked without recursion;
 * reports at most `limit` problems.
 */
export function storableProblems(value: unknown, whole = 'body', limit = 20): StorableProblem[] {
  const problems: StorableProblem[] = [];
  const stack: [unknown, string][] = [[value, '']];
  const join = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);
  while (stack.length > 0 && problems.length < limit) {
    const [current, path] = stack.pop() as [unknown, string];
    if (typeof current === 'number') {
      if (!isStorableNumber(current)) problems.push({ field: path || whole, message: UNSTORABLE_NUMBER_MESSAGE });
    } else if (Array.isArray(current)) {
      current.forEach((item, index) => {
        stack.push([item, join(path, String(index))]);
      });
    } else if (current !== null && typeof current === 'object') {
      for (const [key, child] of Object.entries(current)) {
        if (isPrototypeKey(key)) problems.push({ field: join(path, key), message: PROTOTYPE_KEY_MESSAGE });
        else stack.push([child, join(path, key)]);
      }
    }
  }
  // The walk is depth-first from the end; report in document order.
  return problems.sort((a, b) => a.field.localeCompare(b.field));
}
