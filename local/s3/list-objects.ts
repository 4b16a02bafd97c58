import { byUtf8, encodeS3EventKey } from './keys';
import type { StoredObject } from './object-store';
import { S3Error } from './wire';
import { element, S3_XMLNS, XML_HEAD } from './xml';

/**
 * ListObjectsV2 as S3 answers it: prefix, delimiter (a common prefix counts once toward max-keys), start-after,
 * continuation tokens and `encoding-type=url`, keys in UTF-8 order, at most 1000 a page.
 */

interface ListRequest {
  prefix: string;
  delimiter: string;
  maxKeys: number;
  startAfter?: string;
  continuationToken?: string;
  /** Where the page starts: after the token's key, else after start-after. */
  after?: string;
  urlEncoded: boolean;
}

interface ListPage {
  contents: StoredObject[];
  commonPrefixes: string[];
  /** The last key or common prefix on the page: the next page's continuation token when truncated. */
  last?: string;
  truncated: boolean;
}

/** The ListBucketResult document for one page of `objects`, as the query asks. */
export function listObjectsV2(bucket: string, objects: Map<string, StoredObject>, query: URLSearchParams): string {
  const request = listRequest(query);
  return listBucketResult(bucket, request, listPage(objects, request));
}

function listRequest(query: URLSearchParams): ListRequest {
  const maxKeysGiven = query.get('max-keys');
  const maxKeysAsked = maxKeysGiven === null ? 1000 : Number(maxKeysGiven);
  if (!Number.isInteger(maxKeysAsked) || maxKeysAsked < 0)
    throw new S3Error(400, 'InvalidArgument', 'Provided max-keys not an integer or within integer range', {
      ArgumentName: 'max-keys',
      ArgumentValue: maxKeysGiven ?? '',
    });
  const startAfter = query.get('start-after') ?? undefined;
  const continuationToken = query.get('continuation-token') ?? undefined;
  return {
    prefix: query.get('prefix') ?? '',
    delimiter: query.get('delimiter') ?? '',
    // S3 answers at most 1000 keys a page, whatever is asked.
    maxKeys: Math.min(maxKeysAsked, 1000),
    startAfter,
    continuationToken,
    after: continuationToken === undefined ? startAfter : keyOfToken(continuationToken),
    urlEncoded: query.get('encoding-type') === 'url',
  };
}

/** A continuation token is the page's last key, base64url: anything else is refused as S3 refuses it. */
function keyOfToken(token: string): string {
  const key = Buffer.from(token, 'base64url').toString('utf8');
  if (!token || Buffer.from(key, 'utf8').toString('base64url') !== token)
    throw new S3Error(400, 'InvalidArgument', 'The continuation token provided is incorrect', {
      ArgumentName: 'continuation-token',
      ArgumentValue: token,
    });
  return key;
}

function listPage(objects: Map<string, StoredObject>, request: ListRequest): ListPage {
  const { prefix, delimiter, maxKeys, after, continuationToken } = request;
  const page: ListPage = { contents: [], commonPrefixes: [], truncated: false };
  for (const key of [...objects.keys()].sort(byUtf8)) {
    if (!key.startsWith(prefix)) continue;
    if (
      after !== undefined &&
      // A page that ended on a common prefix resumes after every key under it.
      (byUtf8(key, after) <= 0 ||
        (continuationToken !== undefined && delimiter && after.endsWith(delimiter) && key.startsWith(after)))
    )
      continue;
    const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
    const commonPrefix = cut < 0 ? undefined : key.slice(0, cut + delimiter.length);
    if (commonPrefix !== undefined && commonPrefix === page.commonPrefixes[page.commonPrefixes.length - 1]) continue;
    if (page.contents.length + page.commonPrefixes.length >= maxKeys) {
      page.truncated = true;
      break;
    }
    if (commonPrefix !== undefined) page.commonPrefixes.push(commonPrefix);
    else page.contents.push(objects.get(key) as StoredObject);
    page.last = commonPrefix ?? key;
  }
  return page;
}

function listBucketResult(bucket: string, request: ListRequest, page: ListPage): string {
  const { prefix, delimiter, maxKeys, startAfter, continuationToken, urlEncoded } = request;
  const shown = (text: string) => (urlEncoded ? encodeS3EventKey(text) : text);
  const nextToken = page.truncated && page.last !== undefined ? Buffer.from(page.last).toString('base64url') : '';
  return [
    `${XML_HEAD}<ListBucketResult xmlns="${S3_XMLNS}">`,
    element('Name', bucket),
    element('Prefix', shown(prefix)),
    element('ContinuationToken', continuationToken),
    nextToken ? element('NextContinuationToken', nextToken) : '',
    element('KeyCount', page.contents.length + page.commonPrefixes.length),
    element('MaxKeys', maxKeys),
    delimiter ? element('Delimiter', shown(delimiter)) : '',
    element('IsTruncated', page.truncated),
    urlEncoded ? element('EncodingType', 'url') : '',
    startAfter !== undefined ? element('StartAfter', shown(startAfter)) : '',
    ...page.contents.map((object) => contentsXml(object, shown)),
    ...page.commonPrefixes.map((each) => `<CommonPrefixes>${element('Prefix', shown(each))}</CommonPrefixes>`),
    '</ListBucketResult>',
  ].join('');
}

function contentsXml(object: StoredObject, shown: (text: string) => string): string {
  const checksumAlgorithms = Object.keys(object.checksums)
    .map((algorithm) => element('ChecksumAlgorithm', algorithm.toUpperCase()))
    .join('');
  return (
    `<Contents>${element('Key', shown(object.key))}${element('LastModified', object.lastModified.toISOString())}` +
    `${element('ETag', `"${object.eTag}"`)}${element('Size', object.body.length)}` +
    `${checksumAlgorithms}${element('StorageClass', 'STANDARD')}</Contents>`
  );
}
