// The shared logger writes to the process's own stdout and stderr (what Lambda ships to CloudWatch): a child
// process is logged through, so the lines are exactly what reaches the streams.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

function run(script: string, env: Record<string, string> = {}): { stdout: string[]; stderr: string[] } {
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `import { logger } from '#lib/http';\n${script}`], {
    cwd: new URL('../../..', import.meta.url), encoding: 'utf8', env: { PATH: process.env.PATH, ...env },
  });
  assert.equal(child.status, 0, child.stderr);
  const lines = (text: string) => text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>)
    .map(({ timestamp, ...rest }) => (assert.match(String(timestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), JSON.stringify(rest)));
  return { stdout: lines(child.stdout), stderr: lines(child.stderr) };
}

describe('logger', () => {
  it('writes one JSON line per call: DEBUG and INFO to stdout, WARN and ERROR to stderr, secrets redacted', () => {
    const out = run(`logger.info('issued', { space: 's1', apiKey: 'test-api-key-0009' }); logger.warn('slow', { ms: 5 }); logger.error('failed'); logger.debug('hidden');`);
    assert.deepEqual(out, {
      stdout: ['{"level":"INFO","message":"issued","service":"vod-serverless","space":"s1","apiKey":"[REDACTED]"}'],
      stderr: ['{"level":"WARN","message":"slow","service":"vod-serverless","ms":5}', '{"level":"ERROR","message":"failed","service":"vod-serverless"}'],
    });
  });

  it('takes its level from AWS_LAMBDA_LOG_LEVEL, else LOG_LEVEL', () => {
    const script = `logger.debug('d'); logger.info('i'); logger.warn('w');`;
    assert.deepEqual(run(script, { LOG_LEVEL: 'debug' }).stdout, ['{"level":"DEBUG","message":"d","service":"vod-serverless"}', '{"level":"INFO","message":"i","service":"vod-serverless"}']);
    assert.deepEqual(run(script, { LOG_LEVEL: 'DEBUG', AWS_LAMBDA_LOG_LEVEL: 'WARN' }), { stdout: [], stderr: ['{"level":"WARN","message":"w","service":"vod-serverless"}'] });
  });
});
