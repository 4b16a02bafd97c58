import { createCipheriv, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { buffer } from 'node:stream/consumers';
import { HttpProblem } from '#shared/errors';
import { checkRequest, writeDenial } from './authorizing-proxy';
import { parameterArn } from './aws-requests/json-services';
import type { AccountNames } from './aws-requests/wire';
import type { IamAuthorizer } from './iam';
import { listenOnLoopback } from './loopback';

/**
 * SSM Parameter Store on loopback, speaking the JSON 1.1 protocol the SDK (and Powertools Parameters through it)
 * uses, so the embedded stack's functions read their secrets exactly as in AWS: by the template's parameter names,
 * SecureString decrypted only on request, every call authorized against the caller's role when an authorizer is
 * given. Parameters live in memory for the life of the peer.
 */

export type ParameterType = 'String' | 'StringList' | 'SecureString';

export interface SsmPeerOptions {
  authorizer?: IamAuthorizer;
  names: AccountNames;
  /** Created at start (type defaults to SecureString: this store is for secrets). */
  parameters?: { name: string; value: string; type?: 'String' | 'SecureString' }[];
}

export interface SsmPeer {
  /** For `new SSMClient({ endpoint })` or `AWS_ENDPOINT_URL_SSM`. */
  endpoint: string;
  /** Creates or overwrites a parameter (a new version), as `PutParameter` with `Overwrite: true`. */
  put(name: string, value: string, type?: ParameterType): void;
  close(): Promise<void>;
}

interface Version {
  value: string;
  type: ParameterType;
  /** What a read without decryption sees of a SecureString: stable for the version, as a KMS blob is. */
  ciphertext?: string;
  version: number;
  lastModified: Date;
  description?: string;
  dataType: string;
}

type Json = Record<string, unknown>;

/** An error the SDK maps by `__type`; AWS sends ParameterNotFound with no message at all. */
class SsmError extends HttpProblem {
  override name = 'SsmError';
  constructor(type: string, message?: string) {
    super(400, type, message ?? '');
  }
}

const NAME_RULE =
  'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it can consist of ' +
  'sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 ' +
  'symbols .-_';

class ParameterStore {
  private readonly parameters = new Map<string, Version[]>();
  /** Encrypts SecureString values for reads without decryption; never leaves the process. */
  private readonly key = randomBytes(32);

  constructor(private readonly names: AccountNames) {}

  /** `/a/b`, `/a/b:3` (a version) or the parameter's ARN → the stored name and the version asked for. */
  resolve(given: unknown): { name: string; version?: number } {
    if (typeof given !== 'string' || !given) throw new SsmError('ValidationException', 'Parameter name is required');
    let name = given;
    if (name.startsWith('arn:')) {
      const rest = name.slice(name.indexOf(':parameter/') + ':parameter/'.length);
      name = this.parameters.has(`/${rest.replace(/:.*$/, '')}`) ? `/${rest}` : rest;
    }
    const [bare = '', selector] = name.split(':');
    if (!/^(\/[\w.-]+)+$|^[\w.-]+$/.test(bare)) throw new SsmError('ValidationException', NAME_RULE);
    if (selector === undefined) return { name: bare };
    if (!/^\d+$/.test(selector)) throw new SsmError('ParameterVersionLabelNotFound', `${selector} is not a version`);
    return { name: bare, version: Number(selector) };
  }

  get(given: unknown): { name: string; version: Version; selector?: string } {
    const { name, version } = this.resolve(given);
    const versions = this.parameters.get(name);
    if (!versions) throw new SsmError('ParameterNotFound');
    if (version === undefined) return { name, version: versions[versions.length - 1] as Version };
    const found = versions.find((each) => each.version === version);
    if (!found)
      throw new SsmError('ParameterVersionNotFound', `Systems Manager could not find version ${version} of ${name}.`);
    return { name, version: found, selector: `:${version}` };
  }

  put(given: unknown, value: string, type: ParameterType | undefined, options: Json = {}): Version {
    const { name } = this.resolve(given);
    // Reading AWS's own `/aws/service/…` parameters is fine; creating under `aws` or `ssm` is not.
    if (/^\/?(aws|ssm)/i.test(name)) throw new SsmError('ValidationException', NAME_RULE);
    const versions = this.parameters.get(name);
    if (versions && options.Overwrite !== true)
      throw new SsmError(
        'ParameterAlreadyExists',
        'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
      );
    const previous = versions?.[versions.length - 1];
    const resolvedType = type ?? previous?.type;
    if (!resolvedType)
      throw new SsmError('ValidationException', 'A parameter type is required when you create a parameter.');
    const entry: Version = {
      value,
      type: resolvedType,
      ...(resolvedType === 'SecureString' ? { ciphertext: this.encrypt(value) } : {}),
      version: (previous?.version ?? 0) + 1,
      lastModified: new Date(),
      dataType: typeof options.DataType === 'string' ? options.DataType : 'text',
      ...(typeof options.Description === 'string' ? { description: options.Description } : {}),
    };
    this.parameters.set(name, [...(versions ?? []), entry]);
    return entry;
  }

  delete(given: unknown): void {
    const { name } = this.resolve(given);
    if (!this.parameters.delete(name)) throw new SsmError('ParameterNotFound');
  }

  /** Every parameter's latest version, by name. */
  latest(): { name: string; version: Version }[] {
    return [...this.parameters.entries()]
      .map(([name, versions]) => ({ name, version: versions[versions.length - 1] as Version }))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** The Parameter shape of GetParameter(s)/GetParametersByPath. */
  shape(name: string, version: Version, decrypt: boolean, selector?: string): Json {
    return {
      Name: name,
      Type: version.type,
      Value: version.type === 'SecureString' && !decrypt ? version.ciphertext : version.value,
      Version: version.version,
      ...(selector ? { Selector: selector } : {}),
      LastModifiedDate: version.lastModified.getTime() / 1000,
      ARN: parameterArn(name, this.names),
      DataType: version.dataType,
    };
  }

  private encrypt(value: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const sealed = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64');
  }
}

/** A page of `items` after the opaque `NextToken` (an offset), as AWS pages list operations. */
function page<T>(items: T[], body: Json, limit: { max: number; fallback: number }): { items: T[]; NextToken?: string } {
  const size = typeof body.MaxResults === 'number' ? body.MaxResults : limit.fallback;
  if (size < 1 || size > limit.max)
    throw new SsmError('ValidationException', `MaxResults must be between 1 and ${limit.max}`);
  let start = 0;
  if (typeof body.NextToken === 'string') {
    start = Number(Buffer.from(body.NextToken, 'base64').toString('utf8'));
    if (!Number.isInteger(start) || start < 0)
      throw new SsmError('InvalidNextToken', 'The specified token is not valid.');
  }
  const end = start + size;
  return {
    items: items.slice(start, end),
    ...(end < items.length ? { NextToken: Buffer.from(String(end)).toString('base64') } : {}),
  };
}

interface Filter {
  Key?: string;
  Option?: string;
  Values?: string[];
}

/** DescribeParameters' ParameterFilters (Name, Type, Path) and the legacy Filters (Name begins with, Type). */
function matches(name: string, version: Version, filters: Filter[]): boolean {
  return filters.every(({ Key, Option, Values = [] }) => {
    if (Key === 'Type') return Values.includes(version.type);
    if (Key === 'Name') {
      if (Option === 'Equals') return Values.includes(name);
      if (Option === 'Contains') return Values.some((value) => name.includes(value));
      return Values.some((value) => name.startsWith(value));
    }
    if (Key === 'Path') return Values.some((path) => underPath(name, path, Option !== 'OneLevel'));
    return true;
  });
}

function underPath(name: string, path: string, recursive: boolean): boolean {
  const prefix = path.endsWith('/') ? path : `${path}/`;
  if (!name.startsWith(prefix)) return false;
  return recursive || !name.slice(prefix.length).includes('/');
}

type Operation = (store: ParameterStore, body: Json) => Json;

const OPERATIONS: Record<string, Operation> = {
  GetParameter: (store, body) => {
    const { name, version, selector } = store.get(body.Name);
    return { Parameter: store.shape(name, version, body.WithDecryption === true, selector) };
  },
  GetParameters: (store, body) => {
    const names = Array.isArray(body.Names) ? body.Names : [];
    const Parameters: Json[] = [];
    const InvalidParameters: unknown[] = [];
    for (const given of names) {
      try {
        const { name, version, selector } = store.get(given);
        Parameters.push(store.shape(name, version, body.WithDecryption === true, selector));
      } catch (error) {
        if (!(error instanceof SsmError) || error.code === 'ValidationException') throw error;
        InvalidParameters.push(given);
      }
    }
    return { Parameters, InvalidParameters };
  },
  PutParameter: (store, body) => {
    if (typeof body.Value !== 'string' || !body.Value) throw new SsmError('ValidationException', 'Value is required');
    const type = body.Type as ParameterType | undefined;
    if (type !== undefined && !['String', 'StringList', 'SecureString'].includes(type))
      throw new SsmError(
        'ValidationException',
        `1 validation error detected: Value '${type}' at 'type' failed to satisfy constraint: ` +
          'Member must satisfy enum value set: [SecureString, StringList, String]',
      );
    const entry = store.put(body.Name, body.Value, type, body);
    return { Version: entry.version, Tier: 'Standard' };
  },
  DeleteParameter: (store, body) => {
    store.delete(body.Name);
    return {};
  },
  DeleteParameters: (store, body) => {
    const DeletedParameters: unknown[] = [];
    const InvalidParameters: unknown[] = [];
    for (const name of Array.isArray(body.Names) ? body.Names : []) {
      try {
        store.delete(name);
        DeletedParameters.push(name);
      } catch {
        InvalidParameters.push(name);
      }
    }
    return { DeletedParameters, InvalidParameters };
  },
  GetParametersByPath: (store, body) => {
    const path = typeof body.Path === 'string' ? body.Path : '';
    if (!path.startsWith('/')) throw new SsmError('ValidationException', 'The parameter path must begin with "/".');
    const filters = Array.isArray(body.ParameterFilters) ? (body.ParameterFilters as Filter[]) : [];
    const found = store
      .latest()
      .filter(({ name, version }) => underPath(name, path, body.Recursive === true) && matches(name, version, filters));
    const { items, NextToken } = page(found, body, { max: 10, fallback: 10 });
    const Parameters = items.map(({ name, version }) => store.shape(name, version, body.WithDecryption === true));
    return { Parameters, ...(NextToken ? { NextToken } : {}) };
  },
  DescribeParameters: (store, body) => {
    const filters = [
      ...(Array.isArray(body.ParameterFilters) ? (body.ParameterFilters as Filter[]) : []),
      ...(Array.isArray(body.Filters) ? (body.Filters as Filter[]) : []),
    ];
    const found = store.latest().filter(({ name, version }) => matches(name, version, filters));
    const { items, NextToken } = page(found, body, { max: 50, fallback: 10 });
    const Parameters = items.map(({ name, version }) => ({
      Name: name,
      ARN: store.shape(name, version, false).ARN,
      Type: version.type,
      ...(version.type === 'SecureString' ? { KeyId: 'alias/aws/ssm' } : {}),
      LastModifiedDate: version.lastModified.getTime() / 1000,
      ...(version.description ? { Description: version.description } : {}),
      Version: version.version,
      Tier: 'Standard',
      Policies: [],
      DataType: version.dataType,
    }));
    return { Parameters, ...(NextToken ? { NextToken } : {}) };
  },
};

function reply(res: ServerResponse, status: number, payload: Json): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(body);
}

async function handle(req: IncomingMessage, res: ServerResponse, store: ParameterStore, options: SsmPeerOptions) {
  const raw = await buffer(req);
  if (options.authorizer) {
    const denial = await checkRequest('ssm', req, raw, options.authorizer, options.names);
    if (denial) return writeDenial(res, denial);
  }
  const target = String(req.headers['x-amz-target'] ?? '');
  const name = target.replace(/^AmazonSSM\./, '');
  const operation = Object.hasOwn(OPERATIONS, name) ? OPERATIONS[name] : undefined;
  if (!target.startsWith('AmazonSSM.') || !operation)
    return reply(res, 400, { __type: 'com.amazon.coral.service#UnknownOperationException' });
  let body: Json;
  try {
    body = JSON.parse(raw.toString('utf8') || '{}') as Json;
  } catch {
    return reply(res, 400, { __type: 'com.amazon.coral.service#SerializationException' });
  }
  try {
    reply(res, 200, operation(store, body));
  } catch (error) {
    if (!(error instanceof SsmError)) throw error;
    reply(res, 400, error.message ? { __type: error.code, message: error.message } : { __type: error.code });
  }
}

export async function startSsmPeer(options: SsmPeerOptions): Promise<SsmPeer> {
  const store = new ParameterStore(options.names);
  for (const { name, value, type } of options.parameters ?? [])
    store.put(name, value, type ?? 'SecureString', { Overwrite: true });
  const server = createServer((req, res) => {
    handle(req, res, store, options).catch((error: Error) =>
      reply(res, 500, { __type: 'InternalServerError', message: error.message }),
    );
  });
  const port = await listenOnLoopback(server);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    put: (name, value, type = 'SecureString') => {
      store.put(name, value, type, { Overwrite: true });
    },
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
