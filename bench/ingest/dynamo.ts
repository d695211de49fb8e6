// The ingest bench's DynamoDB: dynalite with the tables of serverless.yml, in a process of its own (so that its CPU
// shows apart from s3rver's and never blocks s3rver's event loop). Prints "ready at <url>"; stops on SIGTERM.
import { join } from 'node:path';
import { startDynalite } from '../../local/stack/dynamo.ts';
import { createTables, tableDefinitions } from '../../local/stack/tables.ts';

const dynamo = await startDynalite(0);
await createTables(dynamo.endpoint, await tableDefinitions(join(import.meta.dirname, '../../serverless.yml'), 'local', {}));
process.on('SIGTERM', () => void dynamo.close().then(() => process.exit(0)));
console.log(`ready at ${dynamo.endpoint}`);
