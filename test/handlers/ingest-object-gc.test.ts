// ingest-object's collector tuning: the flag is set once, for a large or unknown-size object only, and this Node's
// V8 knows it (a V8 that dropped it would ignore it silently).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { gcTuner, LARGE_OBJECT_BYTES, STREAMING_GC_FLAG } from '../../functions/ingest-object/gc.ts';

test('sets the streaming GC flag once, at the first object of 64 MiB or more or of unknown size', () => {
  const set: string[] = [];
  const tune = gcTuner((flags) => set.push(flags));
  assert.equal(tune(149_000), false);
  assert.equal(tune(LARGE_OBJECT_BYTES - 1), false);
  assert.deepEqual(set, []);
  assert.equal(tune(LARGE_OBJECT_BYTES), true);
  assert.equal(tune(2 * LARGE_OBJECT_BYTES), false);
  assert.deepEqual(set, ['--heap-growing-percent=300']);

  const unknown: string[] = [];
  assert.equal(gcTuner((flags) => unknown.push(flags))(undefined), true);
  assert.deepEqual(unknown, [STREAMING_GC_FLAG]);
});

test("the flag is one of this Node's V8 options", () => {
  const name = STREAMING_GC_FLAG.split('=')[0]!;
  const options = execFileSync(process.execPath, ['--v8-options'], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  assert.match(options, new RegExp(`^\\s*${name}\\s`, 'm'));
});
