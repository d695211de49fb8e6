// The raw-copy receiver of the ingest bench, in its own process like the emulator: every PUT body is written to a
// file in argv[2] (then deleted), and answered 200. Prints "sink ready at URL".
const { createServer } = require('node:http');
const { createWriteStream, rmSync } = require('node:fs');
const { join } = require('node:path');
const { pipeline } = require('node:stream/promises');
const dir = process.argv[2];
let seq = 0;
const server = createServer((req, res) => {
  const file = join(dir, `sink-${seq++}.bin`);
  pipeline(req, createWriteStream(file)).then(
    () => { rmSync(file, { force: true }); res.end('ok'); },
    (e) => { res.statusCode = 500; res.end(String(e)); },
  );
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`sink ready at http://127.0.0.1:${server.address().port}/put\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
