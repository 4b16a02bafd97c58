/**
 * EventBridge event patterns, as the Amazon EventBridge User Guide ("Event patterns", "Comparison operators",
 * "Arrays", "Null values and empty strings") and AWS's open-source matcher, aws/event-ruler, define them.
 *
 * Written here rather than taken from npm: AWS publishes its matcher only for Java (event-ruler); the JavaScript
 * ones found were either not on the registry (eb-patterns) or a matcher buried inside a serverless-offline
 * plugin (serverless-offline-aws-eventbridge, which pulls in express and an MQTT broker and exports no
 * matcher), and none covered suffix, wildcard, the anything-but variants, `$or` and array consistency.
 *
 * Differences from EventBridge that remain, each because the information is gone by the time we see it:
 * - exact numbers compare by value; EventBridge compares their JSON text (300 and 300.0 differ there);
 * - `exists: false` inside arrays of objects: see `matchNested`.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type PatternObject = Record<string, unknown>;

/** The operators a pattern's value objects may use; an `$or` branch naming one of them is not an `$or`. */
const OPERATORS = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard', 'anything-but', 'numeric', 'exists', 'cidr'];
/** event-ruler's numeric range and precision (six decimal places). */
const NUMERIC_LIMIT = 5e9;

const isObject = (value: unknown): value is PatternObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isLeaf = (value: unknown) => value === null || ['string', 'number', 'boolean'].includes(typeof value);
const describe = (value: unknown) => JSON.stringify(value) ?? String(value);

/** `$or` is the operator only in event-ruler's shape: 2+ objects, none keyed by an operator name. */
function isOrClause(key: string, value: unknown): value is PatternObject[] {
  return (
    key === '$or' &&
    Array.isArray(value) &&
    value.length >= 2 &&
    value.every((branch) => isObject(branch) && !Object.keys(branch).some((k) => OPERATORS.includes(k)))
  );
}

// ── validation ────────────────────────────────────────────────────────────────────────────────────

/** Why EventBridge would refuse this pattern (InvalidEventPatternException), or undefined when it is valid. */
export function validateEventPattern(pattern: unknown): string | undefined {
  if (!isObject(pattern)) return 'the event pattern must be a JSON object';
  return validateObject(pattern, '');
}

function validateObject(pattern: PatternObject, path: string): string | undefined {
  const keys = Object.keys(pattern);
  if (keys.length === 0) return `${path || 'the pattern'}: empty objects are not allowed`;
  for (const key of keys) {
    const value = pattern[key];
    const at = path ? `${path}.${key}` : key;
    if (isOrClause(key, value)) {
      for (const branch of value) {
        const reason = validateObject(branch, at);
        if (reason) return reason;
      }
    } else if (Array.isArray(value)) {
      if (value.length === 0) return `${at}: empty arrays are not allowed`;
      for (const matcher of value) {
        const reason = validateMatcher(matcher);
        if (reason) return `${at}: ${reason}`;
      }
    } else if (isObject(value)) {
      const reason = validateObject(value, at);
      if (reason) return reason;
    } else {
      return `${at}: match value must be an array or an object, not ${describe(value)}`;
    }
  }
  return undefined;
}

function validateMatcher(matcher: unknown): string | undefined {
  if (isLeaf(matcher)) return undefined;
  if (!isObject(matcher)) return `${describe(matcher)} is not a value or an operator object`;
  const keys = Object.keys(matcher);
  if (keys.length !== 1) return `an operator object takes exactly one operator, not ${describe(matcher)}`;
  const [operator = ''] = keys;
  const operand = matcher[operator];
  switch (operator) {
    case 'prefix':
    case 'suffix':
      if (typeof operand === 'string') return undefined;
      if (isObject(operand) && Object.keys(operand).length === 1 && typeof operand['equals-ignore-case'] === 'string')
        return undefined;
      return `${operator} takes a string or {"equals-ignore-case": string}`;
    case 'equals-ignore-case':
      return typeof operand === 'string' ? undefined : 'equals-ignore-case takes a string';
    case 'wildcard':
      return typeof operand === 'string' ? wildcardError(operand) : 'wildcard takes a string';
    case 'exists':
      return typeof operand === 'boolean' ? undefined : 'exists takes true or false';
    case 'cidr':
      return typeof operand === 'string' && parseCidr(operand) ? undefined : `${describe(operand)} is not a CIDR block`;
    case 'numeric':
      return numericError(operand);
    case 'anything-but':
      return anythingButError(operand);
    default:
      return `unrecognized match type ${operator}`;
  }
}

function anythingButError(operand: unknown): string | undefined {
  if (typeof operand === 'string' || typeof operand === 'number') return undefined;
  if (Array.isArray(operand)) {
    if (operand.length === 0) return 'anything-but takes a non-empty list';
    const allStrings = operand.every((v) => typeof v === 'string');
    const allNumbers = operand.every((v) => typeof v === 'number');
    return allStrings || allNumbers ? undefined : 'anything-but lists contain only strings or only numbers';
  }
  if (isObject(operand) && Object.keys(operand).length === 1) {
    const [inner = ''] = Object.keys(operand);
    const values = ([] as unknown[]).concat(operand[inner]);
    if (!['prefix', 'suffix', 'equals-ignore-case', 'wildcard'].includes(inner))
      return `anything-but does not take ${inner}`;
    if (values.length === 0 || !values.every((v) => typeof v === 'string'))
      return `anything-but ${inner} takes a string or a list of strings`;
    if (inner === 'wildcard') return values.map((v) => wildcardError(v as string)).find(Boolean);
    return undefined;
  }
  return 'anything-but takes a value, a list, or {prefix|suffix|equals-ignore-case|wildcard: …}';
}

/** `["=", n]`, `[op, n]`, or a lower bound (`>`/`>=`) followed by an upper one (`<`/`<=`). */
function numericError(operand: unknown): string | undefined {
  if (!Array.isArray(operand) || (operand.length !== 2 && operand.length !== 4))
    return 'numeric takes [op, number] or [lower-op, number, upper-op, number]';
  for (let i = 1; i < operand.length; i += 2) {
    const n = operand[i];
    if (typeof n !== 'number' || !Number.isFinite(n) || Math.abs(n) > NUMERIC_LIMIT)
      return `numeric bound ${describe(n)} is not a number between -5e9 and 5e9`;
  }
  const [first, low, second, high] = operand as [string, number, string?, number?];
  if (operand.length === 2)
    return ['=', '<', '<=', '>', '>='].includes(first) ? undefined : `bad numeric operator ${first}`;
  if (!['>', '>='].includes(first) || !['<', '<='].includes(second ?? ''))
    return 'a numeric range is a lower bound (> or >=) then an upper bound (< or <=)';
  return low < (high ?? 0) ? undefined : 'the lower numeric bound must be below the upper one';
}

/** Only `*` and `\` may be escaped, and two wildcards may not follow each other. */
function wildcardError(text: string): string | undefined {
  if (text.includes('**')) return `wildcard "${text}" has consecutive wildcard characters`;
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '\\') continue;
    if (text[i + 1] !== '*' && text[i + 1] !== '\\') return `wildcard "${text}" escapes a character other than * or \\`;
    i++;
  }
  return undefined;
}

// ── matching ──────────────────────────────────────────────────────────────────────────────────────

const validated = new WeakSet<object>();

/**
 * Whether the event matches the pattern: every field the pattern names must match (`$or` branches: any one);
 * a field matches when any of its values (an array in the event: any element) matches any of the pattern's.
 * Throws on a pattern EventBridge would refuse, as no rule could carry one.
 */
export function matchesEventPattern(pattern: unknown, event: unknown): boolean {
  if (!isObject(pattern) || !validated.has(pattern)) {
    const reason = validateEventPattern(pattern);
    if (reason) throw new Error(`Event pattern is not valid. Reason: ${reason}`);
    validated.add(pattern as object);
  }
  return matchObject(pattern as PatternObject, event);
}

function matchObject(pattern: PatternObject, value: unknown): boolean {
  const fields = isObject(value) ? value : {};
  return Object.entries(pattern).every(([key, sub]) => {
    if (isOrClause(key, sub)) return sub.some((branch) => matchObject(branch, value));
    const field = Object.hasOwn(fields, key) ? fields[key] : undefined;
    if (Array.isArray(sub)) return matchLeaves(sub, leavesOf(field));
    return matchNested(sub as PatternObject, field);
  });
}

/**
 * A nested pattern against an event value: objects inside an array are tried one by one, so fields matched
 * together come from the same element (event-ruler's array consistency). A pattern with nothing but
 * `exists: false` in it pins no element, and event-ruler then wants the field absent from all of them.
 */
function matchNested(pattern: PatternObject, field: unknown): boolean {
  const candidates = objectsOf(field);
  if (candidates.length === 0) return matchObject(pattern, {});
  return hasPositiveMatcher(pattern)
    ? candidates.some((candidate) => matchObject(pattern, candidate))
    : candidates.every((candidate) => matchObject(pattern, candidate));
}

function hasPositiveMatcher(pattern: PatternObject): boolean {
  return Object.entries(pattern).some(([key, sub]) => {
    if (isOrClause(key, sub)) return sub.some(hasPositiveMatcher);
    if (Array.isArray(sub)) return sub.some((m) => !(isObject(m) && m.exists === false));
    return hasPositiveMatcher(sub as PatternObject);
  });
}

/** The leaf values at a field: arrays (nested too) are crushed out; objects are not leaves. */
function leavesOf(field: unknown): Json[] {
  if (field === undefined || isObject(field)) return [];
  if (Array.isArray(field)) return field.flatMap(leavesOf);
  return [field as Json];
}

function objectsOf(field: unknown): PatternObject[] {
  if (isObject(field)) return [field];
  if (Array.isArray(field)) return field.flatMap(objectsOf);
  return [];
}

function matchLeaves(matchers: unknown[], leaves: Json[]): boolean {
  return matchers.some((matcher) => {
    if (isObject(matcher) && 'exists' in matcher) return matcher.exists === leaves.length > 0;
    return leaves.some((leaf) => matchValue(matcher, leaf));
  });
}

function matchValue(matcher: unknown, leaf: Json): boolean {
  if (!isObject(matcher)) return matcher === leaf || (isNumber(matcher) && isNumber(leaf) && sameNumber(matcher, leaf));
  const [operator = ''] = Object.keys(matcher);
  const operand = matcher[operator];
  switch (operator) {
    case 'prefix':
      return stringTest(operand, leaf, (value, text) => value.startsWith(text));
    case 'suffix':
      return stringTest(operand, leaf, (value, text) => value.endsWith(text));
    case 'equals-ignore-case':
      return typeof leaf === 'string' && fold(leaf) === fold(operand as string);
    case 'wildcard':
      return typeof leaf === 'string' && wildcardRegExp(operand as string).test(leaf);
    case 'cidr':
      return typeof leaf === 'string' && inCidr(operand as string, leaf);
    case 'numeric':
      return isNumber(leaf) && Math.abs(leaf) <= NUMERIC_LIMIT && numericTest(operand as unknown[], leaf);
    case 'anything-but':
      return !anythingButExcludes(operand, leaf);
    default:
      return false;
  }
}

const isNumber = (value: unknown): value is number => typeof value === 'number';
const fold = (text: string) => text.toLowerCase();
/** event-ruler compares numbers to six decimal places. */
const sameNumber = (a: number, b: number) => Math.round(a * 1e6) === Math.round(b * 1e6);

/** prefix/suffix with a plain string, or `{"equals-ignore-case": string}` for the case-blind form. */
function stringTest(operand: unknown, leaf: Json, test: (value: string, text: string) => boolean): boolean {
  if (typeof leaf !== 'string') return false;
  if (typeof operand === 'string') return test(leaf, operand);
  return test(fold(leaf), fold((operand as PatternObject)['equals-ignore-case'] as string));
}

function numericTest(operand: unknown[], leaf: number): boolean {
  const scaled = Math.round(leaf * 1e6);
  for (let i = 0; i < operand.length; i += 2) {
    const bound = Math.round((operand[i + 1] as number) * 1e6);
    const holds = {
      '=': scaled === bound,
      '<': scaled < bound,
      '<=': scaled <= bound,
      '>': scaled > bound,
      '>=': scaled >= bound,
    }[operand[i] as '=' | '<' | '<=' | '>' | '>='];
    if (!holds) return false;
  }
  return true;
}

/** Whether the anything-but operand names this leaf; non-strings are never named by a string test. */
function anythingButExcludes(operand: unknown, leaf: Json): boolean {
  if (Array.isArray(operand)) return operand.some((value) => matchValue(value, leaf));
  if (!isObject(operand)) return matchValue(operand, leaf);
  const [inner = ''] = Object.keys(operand);
  const values = ([] as unknown[]).concat(operand[inner]);
  return values.some((value) => matchValue({ [inner]: value }, leaf));
}

const wildcards = new Map<string, RegExp>();

/** `*` is any run of characters (line breaks and `/` included); `\*` and `\\` are the characters themselves. */
function wildcardRegExp(text: string): RegExp {
  let regExp = wildcards.get(text);
  if (!regExp) {
    let source = '';
    for (let i = 0; i < text.length; i++) {
      const char = text[i] as string;
      if (char === '*') source += '.*';
      else if (char === '\\') source += `\\${text[++i] ?? '\\'}`;
      else source += char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
    regExp = new RegExp(`^${source}$`, 'su');
    wildcards.set(text, regExp);
  }
  return regExp;
}

// ── IP addresses ──────────────────────────────────────────────────────────────────────────────────

interface Cidr {
  bits: number;
  network: bigint;
  prefix: number;
}

function parseCidr(text: string): Cidr | undefined {
  const [address = '', prefixText, extra] = text.split('/');
  if (prefixText === undefined || extra !== undefined || !/^\d{1,3}$/.test(prefixText)) return undefined;
  const ip = parseIp(address);
  const prefix = Number(prefixText);
  if (!ip || prefix > ip.bits) return undefined;
  return { bits: ip.bits, network: ip.value >> BigInt(ip.bits - prefix), prefix };
}

function inCidr(range: string, address: string): boolean {
  const cidr = parseCidr(range);
  const ip = parseIp(address);
  return !!cidr && !!ip && ip.bits === cidr.bits && ip.value >> BigInt(cidr.bits - cidr.prefix) === cidr.network;
}

function parseIp(text: string): { bits: number; value: bigint } | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { bits: 32, value: v4 };
  const v6 = parseIpv6(text);
  return v6 === undefined ? undefined : { bits: 128, value: v6 };
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((value, part) => (value << 8n) | BigInt(Number(part)), 0n);
}

/** Full, `::`-compressed and IPv4-suffixed (`::ffff:10.0.0.1`) forms. */
function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const split = (part: string) => (part === '' ? [] : part.split(':'));
  const left = split(halves[0] ?? '');
  const right = halves.length === 2 ? split(halves[1] ?? '') : [];
  const tail = halves.length === 2 ? right : left;
  const last = tail.at(-1);
  if (last?.includes('.')) {
    const v4 = parseIpv4(last);
    if (v4 === undefined) return undefined;
    tail.splice(-1, 1, (v4 >> 16n).toString(16), (v4 & 0xffffn).toString(16));
  }
  const missing = 8 - left.length - right.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...left, ...Array<string>(missing).fill('0'), ...right];
  if (!groups.every((group) => /^[0-9a-f]{1,4}$/i.test(group))) return undefined;
  return groups.reduce((value, group) => (value << 16n) | BigInt(Number.parseInt(group, 16)), 0n);
}
