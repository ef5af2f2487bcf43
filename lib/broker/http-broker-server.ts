import { createServer, IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'http';

/** Larger bodies are refused before parsing (the core refuses anything above 8 KiB anyway). */
const MAX_BODY_BYTES = 16_384;

/** One POST request as a route sees it: the path (no query), the headers, the JSON body (undefined when not JSON). */
export interface JsonRequest {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
}

/** A route's answer. */
export interface JsonReply {
  readonly statusCode: number;
  readonly body: unknown;
}

/**
 * An HTTP server for JSON POST routes (Cloud Run; an Azure Functions custom handler): bodies are
 * bounded, anything but POST is refused with 405, a route that throws answers 500 (fail closed).
 * Authentication happens in front of it (Cloud Run IAM, Entra authentication).
 */
export function createJsonServer(route: (request: JsonRequest) => Promise<JsonReply>): Server {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST') return reply(405, { error: 'Use POST with a JSON body.' });
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
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        body = undefined; // the route refuses it (the core as INVALID_REQUEST, with its own record)
      }
      const path = (req.url ?? '/').split('?')[0];
      route({ path, headers: req.headers, body }).then((out) => reply(out.statusCode, out.body), () => reply(500, { error: 'The broker failed; refusing (fail closed).' }));
    });
  });
}

/**
 * An HTTP server around a decide function, for brokers that run as a web service: `POST` JSON in,
 * JSON out, on any path.
 */
export function createBrokerServer(decide: (event: unknown) => Promise<unknown>): Server {
  return createJsonServer(async ({ body }) => ({ statusCode: 200, body: await decide(body) }));
}
