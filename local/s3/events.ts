import type { S3Event, S3EventRecord } from 'aws-lambda';
import type { AccountNames } from '../aws-requests/wire';
import { encodeS3EventKey } from './keys';
import { requestIds } from './wire';

/** The event S3 sends a Lambda function for an object, shaped as S3 sends it (event version 2.1). */

export interface S3EventOptions {
  /** Without the `s3:` prefix; `ObjectCreated:Put` unless given. */
  eventName?: string;
  eventTime?: Date;
  /** The notification configuration's id. */
  configurationId?: string;
  /** Orders events for one key; increasing hex unless given. */
  sequencer?: string;
  sourceIPAddress?: string;
  /** The requester (`AWS:<principal id>`); the account's unless given. */
  principalId?: string;
}

let lastSequence = 0n;

/** Hex, increasing across calls in this process (S3's sequencers order the events of one key). */
function nextSequencer(): string {
  const now = BigInt(Date.now()) << 16n;
  lastSequence = now > lastSequence ? now : lastSequence + 1n;
  return lastSequence.toString(16).toUpperCase().padStart(18, '0');
}

/** One record of the event S3 sends Lambda for an object (the key URL-encoded as S3 does: a space is `+`). */
export function s3EventRecordFor(
  bucket: string,
  key: string,
  size: number,
  eTag: string,
  names: AccountNames,
  options: S3EventOptions = {},
): S3EventRecord {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: names.region,
    eventTime: (options.eventTime ?? new Date()).toISOString(),
    eventName: options.eventName ?? 'ObjectCreated:Put',
    userIdentity: { principalId: options.principalId ?? `AWS:${names.accountId}` },
    requestParameters: { sourceIPAddress: options.sourceIPAddress ?? '127.0.0.1' },
    responseElements: requestIds(),
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: options.configurationId ?? 'local',
      bucket: { name: bucket, ownerIdentity: { principalId: names.accountId }, arn: `arn:aws:s3:::${bucket}` },
      object: {
        key: encodeS3EventKey(key),
        size,
        eTag: eTag.replace(/"/g, ''),
        sequencer: options.sequencer ?? nextSequencer(),
      },
    },
  };
}

/** The event S3 sends a Lambda function for one object: `{ Records: [record] }`. */
export function s3EventFor(...record: Parameters<typeof s3EventRecordFor>): S3Event {
  return { Records: [s3EventRecordFor(...record)] };
}
