import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { noSuchBucket } from './wire';

/**
 * The buckets' objects: in memory, and with a data directory also one file per object
 * (`<dataDir>/<bucket>/<sha256 of key>.object`: a JSON line of the object's header, then its bytes).
 */

/** An object as uploaded, before the store dates it and computes its ETag. */
export interface NewObject {
  key: string;
  body: Buffer;
  contentType: string;
  /** Representation headers and `x-amz-meta-*`, as given at upload. */
  headers: Record<string, string>;
  /** `x-amz-checksum-<algorithm>` → base64 value, as given at upload; returned when the reader asks. */
  checksums: Record<string, string>;
}

export interface StoredObject extends NewObject {
  /** Bare MD5 hex (the ETag header quotes it). */
  eTag: string;
  lastModified: Date;
}

/** The first line of an object's file: everything but the bytes, the date as ISO text. */
type ObjectHeader = Omit<StoredObject, 'body' | 'lastModified'> & { lastModified: string };

export class ObjectStore {
  private readonly buckets = new Map<string, Map<string, StoredObject>>();

  constructor(
    buckets: string[],
    private readonly dataDir: string | undefined,
  ) {
    for (const bucket of buckets) this.buckets.set(bucket, dataDir ? this.load(bucket) : new Map());
  }

  bucketNames(): string[] {
    return [...this.buckets.keys()];
  }

  /** The bucket's objects by key; NoSuchBucket when there is no such bucket. */
  bucket(name: string): Map<string, StoredObject> {
    const bucket = this.buckets.get(name);
    if (!bucket) throw noSuchBucket(name);
    return bucket;
  }

  put(bucket: string, object: StoredObject): void {
    const objects = this.bucket(bucket);
    if (this.dataDir) this.write(this.fileOf(bucket, object.key), object);
    objects.set(object.key, object);
  }

  delete(bucket: string, key: string): void {
    const objects = this.bucket(bucket);
    if (this.dataDir) rmSync(this.fileOf(bucket, key), { force: true });
    objects.delete(key);
  }

  private fileOf(bucket: string, key: string): string {
    return path.join(this.dataDir as string, bucket, `${createHash('sha256').update(key).digest('hex')}.object`);
  }

  private write(file: string, { body, lastModified, ...rest }: StoredObject): void {
    const header: ObjectHeader = { ...rest, lastModified: lastModified.toISOString() };
    // Written whole then renamed: a crash leaves the previous version, never half of one.
    const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    writeFileSync(temporary, Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), body]));
    renameSync(temporary, file);
  }

  private load(bucket: string): Map<string, StoredObject> {
    const directory = path.join(this.dataDir as string, bucket);
    mkdirSync(directory, { recursive: true });
    const objects = new Map<string, StoredObject>();
    for (const name of readdirSync(directory)) {
      if (!name.endsWith('.object')) continue;
      const content = readFileSync(path.join(directory, name));
      const newline = content.indexOf(0x0a);
      if (newline < 0) continue;
      const header = JSON.parse(content.subarray(0, newline).toString('utf8')) as ObjectHeader;
      objects.set(header.key, {
        ...header,
        lastModified: new Date(header.lastModified),
        body: content.subarray(newline + 1),
      });
    }
    return objects;
  }
}
