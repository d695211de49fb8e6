// The vendor SDK's VOD service, pointed at the bench's endpoint (VOD_ENDPOINT, loopback only).
import { vodOpenapi } from '@volcengine/openapi';

export function vendorVod(): InstanceType<typeof vodOpenapi.VodService> {
  const endpoint = new URL(process.env.VOD_ENDPOINT ?? 'http://127.0.0.1:4100');
  return new vodOpenapi.VodService({
    accessKeyId: process.env.VCLOUD_ACCESSKEY ?? '',
    secretKey: process.env.VCLOUD_SECRETKEY ?? '',
    region: process.env.VOD_REGION ?? 'cn-north-1',
    host: endpoint.host,
    protocol: endpoint.protocol,
  } as ConstructorParameters<typeof vodOpenapi.VodService>[0]);
}

export interface HttpResult { statusCode: number; headers: Record<string, string>; body: string }
export function json(statusCode: number, body: unknown): HttpResult {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
/** The vendor SDK throws on non-2xx (axios); the baseline answers 502 like a thin handler would. */
export async function call<T>(fn: () => Promise<T>): Promise<HttpResult> {
  try {
    return json(200, await fn());
  } catch (err) {
    return json(502, { error: (err as Error).message });
  }
}
