// A DynamoDB endpoint in front of dynalite that allows what one function's IAM role in serverless.yml allows and
// refuses the rest as AWS does (400 AccessDeniedException): dynalite itself checks no permission, so tests run a
// function through this guard to prove its role grants every call its code makes.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readServerless } from '../../local/stack/tables.ts';

/** One Allow statement: actions (`dynamodb:GetItem`, globs with `*`) on resources (`table/<name>[/index/<index>]`). */
export interface Grant { actions: string[]; resources: string[] }

/** A call the guard saw: `dynamodb:<Operation>` on `table/<name>[/index/<index>]`. */
export interface GuardedCall { action: string; resource: string; allowed: boolean }

type Cfn = string | { 'Fn::GetAtt'?: string | string[]; 'Fn::Sub'?: string };
interface Statement { Effect: string; Action: string | string[]; Resource: Cfn | Cfn[] }
interface Resource { Type: string; Properties: { TableName?: string; Policies?: Array<{ PolicyDocument: { Statement: Statement[] } }> } }

/**
 * The Allow statements of `fn`'s role (its `role:` in serverless.yml), DynamoDB resources written as
 * `table/<name>[/index/<index>]` (`!GetAtt T.Arn` and `!Sub '${T.Arn}/index/i'` resolved for `stage`), other
 * resources as given. A function without a role of its own gets none.
 */
export async function roleGrants(file: string, fn: string, stage = 'local'): Promise<Grant[]> {
  const { doc, resolve } = await readServerless(file, stage, {});
  const resources = (doc.resources?.Resources ?? {}) as Record<string, Resource>;
  const roleName = doc.functions?.[fn]?.role;
  if (!roleName) throw new Error(`serverless.yml: function ${fn} has no role`);
  const arn = (logical: string): string => {
    const r = resources[logical];
    return r?.Type === 'AWS::DynamoDB::Table' ? `table/${resolve(String(r.Properties.TableName))}` : `${logical}.Arn`;
  };
  const resourceOf = (c: Cfn): string => {
    if (typeof c === 'string') return c;
    if (c['Fn::GetAtt']) return arn((Array.isArray(c['Fn::GetAtt']) ? c['Fn::GetAtt'] : c['Fn::GetAtt'].split('.'))[0]!);
    if (c['Fn::Sub']) return c['Fn::Sub'].replace(/\$\{(\w+)\.Arn\}/g, (_, logical: string) => arn(logical));
    throw new Error(`serverless.yml: role ${roleName}: unsupported resource ${JSON.stringify(c)}`);
  };
  const role = resources[roleName];
  if (!role) throw new Error(`serverless.yml: no resource ${roleName}`);
  return (role.Properties.Policies ?? []).flatMap((p) => p.PolicyDocument.Statement)
    .filter((s) => s.Effect === 'Allow')
    .map((s) => ({ actions: [s.Action].flat(), resources: [s.Resource].flat().map(resourceOf) }));
}

const glob = (pattern: string, value: string): boolean =>
  new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(value);

/** Whether `grants` allow `action` on `resource`. */
export function allows(grants: readonly Grant[], action: string, resource: string): boolean {
  return grants.some((g) => g.actions.some((a) => glob(a, action)) && g.resources.some((r) => glob(r, resource)));
}

/** Starts the guard on 127.0.0.1 in front of the DynamoDB endpoint `target`, allowing what `grants` allow. */
export async function startIamGuard(target: string, grants: readonly Grant[]): Promise<{ url: string; calls: GuardedCall[]; close(): Promise<void> }> {
  const calls: GuardedCall[] = [];
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      const input = JSON.parse(body.toString('utf8') || '{}') as { TableName?: string; IndexName?: string };
      const action = `dynamodb:${operation}`;
      const resource = `table/${input.TableName}${input.IndexName ? `/index/${input.IndexName}` : ''}`;
      const allowed = allows(grants, action, resource);
      calls.push({ action, resource, allowed });
      if (!allowed) {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({ __type: 'com.amazon.coral.service#AccessDeniedException', message: `not authorized to perform: ${action} on resource: ${resource}` }));
        return;
      }
      const forward = request(upstream, { method: req.method, path: req.url, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 500, up.headers);
        up.pipe(res);
      });
      forward.on('error', (err) => { res.writeHead(502); res.end(String(err)); });
      forward.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () => new Promise((r) => { server.close(() => r()); server.closeAllConnections(); }),
  };
}
