import { createSocket, type Socket } from 'node:dgram';

/**
 * The embedded stack's DNS: a loopback UDP server the functions' resolvers are pointed at (`CASCADE_DNS_SERVERS`,
 * endpoint plumbing like the SDK's endpoint variables), so a deliverability check never queries the Internet from
 * this machine. It serves the records it was given (tests, a demo domain) and answers REFUSED for every other name:
 * the check then reports `unknown`, as it does in AWS when DNS cannot be reached.
 *
 * Hand-written (about 60 lines of RFC 1035) because the npm DNS servers pull in far more than a fixed answer needs.
 */
export interface DnsPeer {
  /** `127.0.0.1:<port>`, what `Resolver.setServers` takes. */
  server: string;
  /** TXT records served for `name` (lower case, no trailing dot): each record's strings. */
  txt: Map<string, string[][]>;
  close(): Promise<void>;
}

const TYPE_TXT = 16;
const CLASS_IN = 1;
const RCODE_REFUSED = 5;

export async function startDnsPeer(): Promise<DnsPeer> {
  const socket = createSocket('udp4');
  const txt = new Map<string, string[][]>();
  socket.on('message', (query, remote) => {
    const answer = answerFor(query, txt);
    if (answer) socket.send(answer, remote.port, remote.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  return { server: `127.0.0.1:${port}`, txt, close: () => closeSocket(socket) };
}

function closeSocket(socket: Socket): Promise<void> {
  return new Promise((resolve) => socket.close(() => resolve()));
}

/** One question per query (what resolvers send): its name and type, and where the question section ends. */
function readQuestion(query: Buffer): { name: string; type: number; end: number } | undefined {
  if (query.length < 12 || query.readUInt16BE(4) !== 1) return undefined;
  const labels: string[] = [];
  let offset = 12;
  while (offset < query.length && query[offset] !== 0) {
    const length = query[offset] ?? 0;
    labels.push(query.subarray(offset + 1, offset + 1 + length).toString('latin1'));
    offset += length + 1;
  }
  if (offset + 5 > query.length) return undefined;
  return { name: labels.join('.').toLowerCase(), type: query.readUInt16BE(offset + 1), end: offset + 5 };
}

function answerFor(query: Buffer, txt: Map<string, string[][]>): Buffer | undefined {
  const question = readQuestion(query);
  if (!question) return undefined;
  const records = question.type === TYPE_TXT ? txt.get(question.name) : undefined;
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2);
  // QR, opcode 0, RD copied, RA; REFUSED unless we serve the name.
  header.writeUInt16BE(0x8180 | (query.readUInt16BE(2) & 0x0100) | (records ? 0 : RCODE_REFUSED), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(records?.length ?? 0, 6);
  const questionBytes = query.subarray(12, question.end);
  const answers = (records ?? []).map((strings) => txtRecord(strings));
  return Buffer.concat([header, questionBytes, ...answers]);
}

/** A TXT answer pointing at the question's name (compression pointer 0xc00c). */
function txtRecord(strings: string[]): Buffer {
  const data = Buffer.concat(
    strings.map((text) => Buffer.concat([Buffer.from([text.length]), Buffer.from(text, 'latin1')])),
  );
  const fixed = Buffer.alloc(12);
  fixed.writeUInt16BE(0xc00c, 0);
  fixed.writeUInt16BE(TYPE_TXT, 2);
  fixed.writeUInt16BE(CLASS_IN, 4);
  fixed.writeUInt32BE(60, 6);
  fixed.writeUInt16BE(data.length, 10);
  return Buffer.concat([fixed, data]);
}
