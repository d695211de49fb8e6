// npm start's startStack on fixed ports: one already taken is refused before anything starts (osls would fail on
// it later while the launcher, finding something answering there, reported the stack ready).
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { startStack } from '#local/stack';

test('a taken port is refused by name before anything starts', async () => {
  const other = createServer((_, res) => res.end('another app'));
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
  const { port } = other.address() as AddressInfo;
  try {
    await assert.rejects(startStack({ ports: { http: port } }), (err: Error) => {
      assert.match(err.message, new RegExp(`^in use on 127\\.0\\.0\\.1: (.+, )?http \\(${port}\\)(, .+)?; stop what listens there \\(another npm start\\?\\)$`));
      return true;
    });
  } finally {
    other.close();
  }
});
