import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { VodClient, VodError } from '#lib/vod';
import { parseFaultProfile } from '#local/emulator';

function run(args: string[], env: Record<string, string> = {}) {
  return spawn(process.execPath, ['--import', 'tsx', 'local/emulator/cli.ts', ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('emulator CLI', () => {
  it('prints one ready line, honours flags and VOD_EMULATOR_* env, exits 0 on SIGTERM', async () => {
    const child = run(['--credentials', 'AKLTcli:cli-secret', '--spaces', 'only-space'], { VOD_EMULATOR_PORT: '0', VOD_EMULATOR_HOST: '127.0.0.1' });
    const exited = once(child, 'exit');
    const stderr: string[] = [];
    child.stderr.on('data', (c: Buffer) => stderr.push(c.toString()));
    const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    const m = /^vod-emulator ready at (http:\/\/127\.0\.0\.1:(\d+)) \(region cn-north-1, in memory\)$/.exec(line);
    assert.ok(m, line);
    const vod = new VodClient({ endpoint: m[1], credentials: { accessKeyId: 'AKLTcli', secretAccessKey: 'cli-secret' }, retries: 0 });
    assert.deepStrictEqual(await vod.getCdnDomainWeights({ SpaceName: 'only-space' }), { 'only-space': { [`127.0.0.1:${m[2]}`]: 100 } });
    await assert.rejects(vod.getCdnDomainWeights({ SpaceName: 'other' }), (e: unknown) => e instanceof VodError && e.code === 'ResourceNotFound' && e.httpStatus === 404);
    const local = new VodClient({ endpoint: m[1], credentials: { accessKeyId: 'AKLTlocalemulator', secretAccessKey: 'local-emulator-secret' }, retries: 0 });
    await assert.rejects(local.getCdnDomainWeights({ SpaceName: 'only-space' }), (e: unknown) => e instanceof VodError && e.code === 'InvalidCredential');
    child.kill('SIGTERM');
    const [code, signal] = (await exited) as [number | null, string | null];
    assert.deepStrictEqual([code, signal, stderr.join('')], [0, null, '']);
  });

  it('refuses a bad flag with exit code 2 and a message naming it', async () => {
    const child = run(['--port', 'eighty']);
    const err: string[] = [];
    child.stderr.on('data', (c: Buffer) => err.push(c.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    assert.deepStrictEqual([code, err.join('')], [2, "vod-emulator: --port: expected a non-negative integer, got 'eighty'\n"]);
  });
});

describe('fault profile syntax', () => {
  it('parses the compact form, JSON and per-action rates', () => {
    assert.deepStrictEqual(parseFaultProfile('api=0.2,upload=0.1,kinds=5xx|429|reset|slow,seed=1,slowMs=200,action.GetPlayInfo=0.5,callbacks.drop=0.25,callbacks.duplicate=1'), {
      api: 0.2, upload: 0.1, kinds: ['5xx', '429', 'reset', 'slow'], seed: 1, slowMs: 200, actions: { GetPlayInfo: 0.5 }, callbackDrop: 0.25, callbackDuplicate: 1,
    });
    assert.deepStrictEqual(parseFaultProfile('{"api":0.5,"kinds":["429"],"actions":{"CommitUpload":0}}'), { api: 0.5, kinds: ['429'], actions: { CommitUpload: 0 } });
    assert.deepStrictEqual(parseFaultProfile(''), {});
  });

  it('rejects unknown keys, kinds and out-of-range rates', () => {
    assert.throws(() => parseFaultProfile('api=2'), /api must be a number in \[0, 1\]/);
    assert.throws(() => parseFaultProfile('kinds=boom'), /unknown kind 'boom'/);
    assert.throws(() => parseFaultProfile('speed=1'), /unknown key 'speed'/);
    assert.throws(() => parseFaultProfile('{oops'), /invalid JSON/);
  });
});
