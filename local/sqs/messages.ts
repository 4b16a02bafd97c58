import { createHash } from 'node:crypto';
import { HttpProblem } from '#shared/errors';

/**
 * What SQS checks and computes of a message, as the service does it: the error shapes of its JSON protocol, the
 * body's characters and size, message attributes and their MD5 digests (the SDK verifies the body's on every
 * send and receive).
 */

/**
 * An error SQS answers with. Its JSON protocol is "query compatible": `__type` names the modeled shape
 * (`com.amazonaws.sqs#QueueDoesNotExist`) and the `x-amzn-query-error` header carries the legacy query code and
 * fault (`AWS.SimpleQueueService.NonExistentQueue;Sender`), which the SDK puts in `error.Code`.
 */
export class SqsError extends HttpProblem {
  override name = 'SqsError';
  constructor(
    /** The shape name after `com.amazonaws.sqs#` (what the SDK names the error). */
    readonly shape: string,
    message: string,
    /** The legacy query error code (defaults to the shape name). */
    readonly queryCode = shape,
    status = 400,
  ) {
    super(status, shape, message);
  }
}

export const queueDoesNotExist = () =>
  new SqsError('QueueDoesNotExist', 'The specified queue does not exist.', 'AWS.SimpleQueueService.NonExistentQueue');

export const invalidParameter = (message: string) => new SqsError('InvalidParameterValue', message);

export const missingParameter = (name: string) =>
  new SqsError('MissingParameter', `The request must contain the parameter ${name}.`);

/** `Value 901 for parameter DelaySeconds is invalid. Reason: …`: how SQS words an out-of-range number. */
export function checkRange(name: string, value: unknown, min: number, max: number, reason: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max)
    throw invalidParameter(`Value ${value} for parameter ${name} is invalid. Reason: ${reason}`);
  return number;
}

/** A message attribute as the JSON protocol carries it (binary values base64-encoded). */
export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

export type MessageAttributes = Record<string, MessageAttributeValue>;

/** The characters SQS accepts in a body or an attribute value (XML 1.0's, without the other control characters). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the control characters SQS allows.
const INVALID_CHARACTER = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

export function checkMessageContents(text: string): void {
  if (INVALID_CHARACTER.test(text))
    throw new SqsError(
      'InvalidMessageContents',
      'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
    );
}

const ATTRIBUTE_NAME = /^(?!\.)(?!.*\.\.)(?!.*\.$)[A-Za-z0-9_.-]{1,256}$/;

/** Checks the attributes as SQS does (at most 10, valid names and types, a value of the declared kind). */
export function checkMessageAttributes(attributes: MessageAttributes | undefined): void {
  const entries = Object.entries(attributes ?? {});
  if (entries.length > 10)
    throw invalidParameter(`Number of message attributes [${entries.length}] exceeds the allowed maximum [10].`);
  for (const [name, value] of entries) {
    if (!ATTRIBUTE_NAME.test(name) || /^(aws|amazon)\./i.test(name))
      throw invalidParameter(`Message (user) attribute name '${name}' is invalid.`);
    const type = value?.DataType ?? '';
    if (!/^(String|Number|Binary)(\..+)?$/.test(type))
      throw invalidParameter(
        `The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`,
      );
    const binary = type.startsWith('Binary');
    if (binary ? !value.BinaryValue : value.StringValue === undefined || value.StringValue === '')
      throw invalidParameter(
        `Message (user) attribute '${name}' must contain a non-empty value of type '${type.split('.')[0]}'.`,
      );
    if (value.StringValue !== undefined) checkMessageContents(value.StringValue);
  }
}

/** Bytes a message counts against the maximum size: its body and every attribute's name, type and value. */
export function messageSize(body: string, attributes: MessageAttributes | undefined): number {
  let size = Buffer.byteLength(body);
  for (const [name, value] of Object.entries(attributes ?? {}))
    size +=
      Buffer.byteLength(name) +
      Buffer.byteLength(value.DataType) +
      (value.BinaryValue !== undefined
        ? Buffer.from(value.BinaryValue, 'base64').length
        : Buffer.byteLength(value.StringValue ?? ''));
  return size;
}

export const md5Hex = (data: string | Buffer) => createHash('md5').update(data).digest('hex');

/**
 * The MD5 of the message attributes as SQS computes it: attributes sorted by name, each encoded as
 * length-prefixed name, length-prefixed data type, a transport byte (1 string/number, 2 binary) and the
 * length-prefixed value.
 */
export function md5OfMessageAttributes(attributes: MessageAttributes | undefined): string | undefined {
  const names = Object.keys(attributes ?? {}).sort();
  if (!attributes || names.length === 0) return undefined;
  const parts: Buffer[] = [];
  const withLength = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
  };
  for (const name of names) {
    const value = attributes[name] as MessageAttributeValue;
    withLength(Buffer.from(name, 'utf8'));
    withLength(Buffer.from(value.DataType, 'utf8'));
    const binary = value.DataType.startsWith('Binary');
    parts.push(Buffer.from([binary ? 2 : 1]));
    withLength(binary ? Buffer.from(value.BinaryValue ?? '', 'base64') : Buffer.from(value.StringValue ?? '', 'utf8'));
  }
  return md5Hex(Buffer.concat(parts));
}

/** A message attribute as Lambda's SQS event carries it (camelCase, list fields always present). */
export function lambdaMessageAttributes(attributes: MessageAttributes): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [
      name,
      {
        ...(value.StringValue !== undefined && { stringValue: value.StringValue }),
        ...(value.BinaryValue !== undefined && { binaryValue: value.BinaryValue }),
        stringListValues: [],
        binaryListValues: [],
        dataType: value.DataType,
      },
    ]),
  );
}
