import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyHandlerV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';

/** One httpApi route, as serverless.yml declares it: `{ method: POST, path: /tokens/upload }`. */
export interface LambdaRoute { method: string; path: string; handler: APIGatewayProxyHandlerV2 }

export interface LambdaHttp { url: string; port: number; close(): Promise<void> }

/** The CORS answer of serverless-offline for `httpApi.cors: true` (its getHttpApiCorsConfig defaults). */
const CORS_ALLOW_HEADERS = 'Authorization,Content-Type,X-Amz-Date,X-Amz-Security-Token,X-Amz-User-Agent,X-Api-Key';
const CORS_ALLOW_METHODS = 'DELETE,GET,OPTIONS,PATCH,POST,PUT';

function matchPath(pattern: string, path: string): Record<string, string> | null {
  const names: string[] = [];
  const re = new RegExp(`^${pattern.replace(/\{([^}]+)\}/g, (_m, name: string) => { names.push(name); return '([^/]+)'; })}$`);
  const m = re.exec(path);
  if (!m) return null;
  return Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1] ?? '')]));
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function toEvent(req: IncomingMessage, route: LambdaRoute, pathParameters: Record<string, string>, rawPath: string, rawQuery: string, body: Buffer): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
  const query: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(rawQuery)) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
  const now = new Date();
  const routeKey = `${route.method} ${route.path}`;
  return {
    version: '2.0', routeKey, rawPath, rawQueryString: rawQuery, headers,
    ...(rawQuery ? { queryStringParameters: query } : {}),
    ...(Object.keys(pathParameters).length ? { pathParameters } : {}),
    requestContext: {
      accountId: 'offline', apiId: 'local', domainName: headers.host ?? '127.0.0.1', domainPrefix: '127', requestId: randomUUID(), routeKey, stage: '$default',
      time: now.toUTCString(), timeEpoch: now.getTime(),
      http: { method: route.method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
    },
    ...(body.length ? { body: body.toString('utf8') } : {}),
    isBase64Encoded: false,
  };
}

function context(name: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false, functionName: name, functionVersion: '$LATEST', invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    memoryLimitInMB: '256', awsRequestId: randomUUID(), logGroupName: `/aws/lambda/${name}`, logStreamName: 'local',
    getRemainingTimeInMillis: () => 29_000, done: () => undefined, fail: () => undefined, succeed: () => undefined,
  };
}

/**
 * The real Lambda handlers behind a loopback HTTP server, the way serverless-offline runs an httpApi: request ->
 * API Gateway v2 event -> handler -> structured result, with the CORS preflight of `httpApi.cors: true`.
 * For tests that need a handful of routes without the whole local stack.
 */
export async function serveLambdas(routes: LambdaRoute[], opts: { port?: number } = {}): Promise<LambdaHttp> {
  const server = createServer((req, res) => {
    void (async () => {
      const raw = req.url ?? '/';
      const q = raw.indexOf('?');
      const rawPath = q < 0 ? raw : raw.slice(0, q);
      const rawQuery = q < 0 ? '' : raw.slice(q + 1);
      const origin = req.headers.origin;
      if (req.method === 'OPTIONS') {
        res.writeHead(204, {
          ...(origin ? { 'access-control-allow-origin': origin } : {}),
          'access-control-allow-methods': CORS_ALLOW_METHODS, 'access-control-allow-headers': CORS_ALLOW_HEADERS,
        }).end();
        return;
      }
      const body = await readAll(req);
      for (const route of routes) {
        const params = route.method === req.method ? matchPath(route.path, rawPath) : null;
        if (!params) continue;
        const out = (await route.handler(toEvent(req, route, params, rawPath, rawQuery, body), context(route.path), () => undefined)) as APIGatewayProxyStructuredResultV2;
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(out.headers ?? {})) headers[k] = String(v);
        if (origin) headers['access-control-allow-origin'] = origin;
        res.writeHead(out.statusCode ?? 200, headers).end(out.isBase64Encoded ? Buffer.from(out.body ?? '', 'base64') : out.body ?? '');
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json', ...(origin ? { 'access-control-allow-origin': origin } : {}) }).end('{"message":"Not Found"}');
    })().catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ message: `handler crashed: ${(err as Error).message}` }));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}
