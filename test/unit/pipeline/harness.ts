// Shared by the pipeline's handler and unit tests: real local services on ephemeral 127.0.0.1 ports.
import '../../support/log-guard.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { startEmulator, type Emulator, type EmulatorOptions } from '#local/emulator';
import { ItemStore } from '#lib/pipeline';
import { DynamoDb, type AwsContext } from '#lib/aws';
import { apiContext } from '#lib/vod';
import { startDynalite, type LocalDynamo } from '../../../local/stack/dynamo.ts';
import { createTables, tableDefinitions } from '../../../local/stack/tables.ts';

export const ITEMS_TABLE = 'vod-serverless-local-items';
export const IDEMPOTENCY_TABLE = 'vod-serverless-local-idempotency';
export const BUCKET = 'vod-serverless-local-ingest';
export const BUS = 'vod-serverless-local';
export const CALLBACK_KEY = 'local-callback-key';
export const CALLBACK_URL = 'http://127.0.0.1:3000/vod/callback';
export const API_KEY = 'test-api-key-000000000001';

/** A PutEvents entry as the bus received it (Detail parsed). */
export interface BusEntry { EventBusName: string; Source: string; DetailType: string; Detail: Record<string, unknown> }

/** A loopback EventBridge endpoint that records PutEvents (AWS JSON 1.1) and accepts every entry. */
export async function startRecordingBus(): Promise<{ url: string; entries: BusEntry[]; close(): Promise<void> }> {
  const entries: BusEntry[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Entries: Array<Omit<BusEntry, 'Detail'> & { Detail: string }> };
      for (const e of body.Entries) entries.push({ EventBusName: e.EventBusName, Source: e.Source, DetailType: e.DetailType, Detail: JSON.parse(e.Detail) as Record<string, unknown> });
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ FailedEntryCount: 0, Entries: body.Entries.map((_, i) => ({ EventId: `event-${entries.length + i}` })) }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    entries,
    close: () => new Promise((r) => { server.close(() => r()); server.closeAllConnections(); }),
  };
}

/** An AwsContext for a local service (the credentials the local services take; no retries unless asked). */
export function localAws(service: string, origin: string, opts: { retries?: number } = {}): AwsContext {
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  return { ...apiContext({ origin, region: 'us-east-1', credentials: () => credentials, now: () => new Date() }, { retries: opts.retries ?? 0 }), service };
}

export interface Harness {
  dynamo: LocalDynamo;
  emulator: Emulator;
  bus: Awaited<ReturnType<typeof startRecordingBus>>;
  s3: S3Client;
  s3Url: string;
  store: ItemStore;
  /** lib/aws DynamoDB on the local tables. */
  db: DynamoDb;
  close(): Promise<void>;
}

/**
 * The environment serverless.yml and the launcher give a function, pointed at local services: AWS endpoints,
 * the VOD emulator and its key pair, the local stage's tables, bus and bucket.
 */
export function functionEnv(endpoints: { dynamodb: string; s3: string; eventbridge: string; vod: string }): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb, AWS_ENDPOINT_URL_S3: endpoints.s3, AWS_ENDPOINT_URL_EVENTBRIDGE: endpoints.eventbridge, S3_FORCE_PATH_STYLE: 'true',
    AWS_LAMBDA_FUNCTION_NAME: 'pipeline-test', LOG_LEVEL: 'SILENT',
    VOD_ENDPOINT: endpoints.vod, VOD_SPACE: 'demo-space', VCLOUD_ACCESSKEY: 'AKLTlocalemulator', VCLOUD_SECRETKEY: 'local-emulator-secret',
    ITEMS_TABLE, IDEMPOTENCY_TABLE, EVENT_BUS_NAME: BUS, INGEST_PREFIX: 'incoming/', INGEST_SUFFIXES: '.mp4',
    VOD_CALLBACK_KEY: CALLBACK_KEY, VOD_CALLBACK_URL: CALLBACK_URL, API_KEYS: API_KEY, VOD_TRANSCODE_TEMPLATE_ID: 'local-template',
  };
}

/**
 * Starts dynalite (tables from serverless.yml), the emulator, s3rver and a recording bus, and points this
 * process's environment at them, as serverless.yml and the launcher do for a function. Call before importing
 * a handler (handlers read their config at import).
 */
export async function startHarness(opts: { emulator?: EmulatorOptions; env?: Record<string, string> } = {}): Promise<Harness> {
  const dynamo = await startDynalite(0);
  await createTables(dynamo.endpoint, await tableDefinitions(join(import.meta.dirname, '../../../serverless.yml'), 'local', {}));
  const emulator = await startEmulator({ seed: 7, transcodeDelayMs: 0, ...opts.emulator, port: 0, host: '127.0.0.1' });
  const bus = await startRecordingBus();
  const s3Dir = await mkdtemp(join(tmpdir(), 'pipeline-s3-'));
  const s3rver = new S3rver({ port: 0, address: '127.0.0.1', directory: s3Dir, silent: true, configureBuckets: [{ name: BUCKET }] });
  const { port: s3Port } = await s3rver.run();
  const s3Url = `http://127.0.0.1:${s3Port}`;
  Object.assign(process.env, functionEnv({ dynamodb: dynamo.endpoint, s3: s3Url, eventbridge: bus.url, vod: emulator.url }), opts.env);
  const s3 = new S3Client({ endpoint: s3Url, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  const db = new DynamoDb(localAws('dynamodb', dynamo.endpoint));
  return {
    dynamo, emulator, bus, s3, s3Url, db,
    store: new ItemStore({ db, tableName: ITEMS_TABLE }),
    close: async () => {
      s3.destroy();
      await Promise.allSettled([emulator.close(), bus.close(), dynamo.close(), s3rver.close()]);
      await rm(s3Dir, { recursive: true, force: true });
    },
  };
}

/** A fixture from test/events, parsed. */
export async function fixture<T = Record<string, unknown>>(path: string): Promise<T> {
  const { readFile } = await import('node:fs/promises');
  return JSON.parse(await readFile(join(import.meta.dirname, '../../events', path), 'utf8')) as T;
}

/** A Lambda context good enough for handlers and Powertools (remaining time drives the idempotency lease). */
export function lambdaContext(requestId = 'req-1'): import('aws-lambda').Context {
  return {
    callbackWaitsForEmptyEventLoop: false, functionName: 'pipeline-test', functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:pipeline-test', memoryLimitInMB: '256',
    awsRequestId: requestId, logGroupName: '/aws/lambda/pipeline-test', logStreamName: 'stream',
    getRemainingTimeInMillis: () => 30_000, done: () => undefined, fail: () => undefined, succeed: () => undefined,
  };
}
