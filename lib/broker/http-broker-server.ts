import { createServer, IncomingMessage, Server, ServerResponse } from 'http';

/** Larger bodies are refused before parsing (the core refuses anything above 8 KiB anyway). */
const MAX_BODY_BYTES = 16_384;

/**
 * An HTTP server around a decide function, for brokers that run as a web service (Cloud Run; an
 * Azure Functions custom handler): `POST` JSON in, JSON out; anything else is refused with a status
 * code. Authentication happens in front of it (Cloud Run IAM, Entra authentication).
 */
export function createBrokerServer(decide: (event: unknown) => Promise<unknown>): Server {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST') return reply(405, { error: 'Use POST with a JSON broker request.' });
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reply(413, { error: 'The request is larger than the broker accepts.' });
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) return;
      let event: unknown;
      try {
        event = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        event = undefined; // the core refuses it as INVALID_REQUEST, with its own record
      }
      decide(event).then((out) => reply(200, out), () => reply(500, { error: 'The broker failed; refusing (fail closed).' }));
    });
  });
}

