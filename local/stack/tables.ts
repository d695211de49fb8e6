import { readFile } from 'node:fs/promises';
import { CreateTableCommand, DynamoDBClient, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import yaml from 'js-yaml';

const CF_TAGS = ['Ref', 'GetAtt', 'Sub', 'Join', 'Select', 'Split', 'If', 'Equals', 'Not', 'And', 'Or', 'FindInMap', 'ImportValue', 'GetAZs', 'Base64', 'Condition'];
const schema = yaml.DEFAULT_SCHEMA.extend(CF_TAGS.flatMap((tag) => (['scalar', 'sequence', 'mapping'] as const).map((kind) =>
  new yaml.Type(`!${tag}`, { kind, construct: (data) => ({ [tag === 'Ref' || tag === 'Condition' ? tag : `Fn::${tag}`]: data }) }))));

interface ServerlessYml {
  service: string;
  params?: Record<string, Record<string, unknown>>;
  functions?: Record<string, { role?: string }>;
  resources?: { Resources?: Record<string, { Type: string; Properties: Record<string, unknown> }> };
}

/** serverless.yml parsed (CloudFormation tags as their `Fn::` objects), with a resolver of its `${...}` variables. */
export async function readServerless(file: string, stage = 'local', env: Record<string, string | undefined> = process.env): Promise<{ doc: ServerlessYml; resolve: (value: string) => string }> {
  const doc = yaml.load(await readFile(file, 'utf8'), { schema }) as ServerlessYml;
  const resolve = (value: string): string => {
    let out = value;
    for (let i = 0; i < 10 && out.includes('${'); i++) {
      out = out.replace(/\$\{([a-z]+):([^,}]+)(?:,\s*'([^']*)')?\}/g, (whole, source: string, address: string, fallback?: string) => {
        const a = address.trim();
        if (source === 'self' && a === 'service') return doc.service;
        if (source === 'sls' && a === 'stage') return stage;
        if (source === 'param') return String(doc.params?.[stage]?.[a] ?? doc.params?.default?.[a] ?? whole);
        if (source === 'env') return env[a] ?? fallback ?? '';
        return whole;
      });
    }
    if (out.includes('${')) throw new Error(`serverless.yml: cannot resolve ${value}`);
    return out;
  };
  return { doc, resolve };
}

/**
 * The DynamoDB tables declared in serverless.yml (`AWS::DynamoDB::Table` resources), as CreateTable inputs for
 * `stage`: names resolved from `${param:..}`, `${self:service}`, `${sls:stage}` and `${env:X, 'default'}`.
 * Local stacks and tests create exactly what a deploy would.
 */
export async function tableDefinitions(file: string, stage = 'local', env: Record<string, string | undefined> = process.env): Promise<CreateTableCommandInput[]> {
  const { doc, resolve } = await readServerless(file, stage, env);
  return Object.values(doc.resources?.Resources ?? {})
    .filter((r) => r.Type === 'AWS::DynamoDB::Table')
    .map((r) => {
      const p = r.Properties as unknown as CreateTableCommandInput & { TimeToLiveSpecification?: unknown };
      const { TimeToLiveSpecification: _ttl, ...rest } = p; // dynalite has no TTL deletion; Powertools checks expiry itself
      return { ...rest, TableName: resolve(String(p.TableName)) };
    });
}

/** Creates the tables (dynalite with createTableMs 0 makes them ACTIVE at once). */
export async function createTables(endpoint: string, tables: readonly CreateTableCommandInput[]): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    for (const t of tables) {
      try {
        await client.send(new CreateTableCommand(t));
      } catch (err) {
        if ((err as { name?: string }).name !== 'ResourceInUseException') throw err;
      }
    }
  } finally {
    client.destroy();
  }
}
