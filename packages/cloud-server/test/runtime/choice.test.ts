import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createConfig, loadConfig } from '../../src/config.js';

describe('choosing the runtime', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));
  const load = async (argv: string[], env: NodeJS.ProcessEnv = {}) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'occ-runtime-'));
    dirs.push(dataDir);
    return { dataDir, config: await loadConfig(['--data-dir', dataDir, ...argv], env) };
  };

  it('is the scripted runtime by default', async () => {
    const { config } = await load([]);
    expect(config.runtime).toMatchObject({ kind: 'scripted', model: null, openaiCompatible: null });
    expect(createConfig().runtime.kind).toBe('scripted');
  });

  it('takes --runtime and --model over the environment, with OpenCode state under the data directory', async () => {
    const env = {
      OPEN_COWORK_CLOUD_RUNTIME: 'scripted',
      OPEN_COWORK_CLOUD_MODEL: 'openai/gpt-4.1-mini',
      OPEN_COWORK_CLOUD_OPENAI_COMPATIBLE_BASE_URL: 'http://127.0.0.1:11434/v1',
    };
    const { config, dataDir } = await load(['--runtime', 'opencode', '--model', 'openai-compatible/qwen2.5-coder:7b'], env);
    expect(config.runtime).toEqual({
      kind: 'opencode',
      model: 'openai-compatible/qwen2.5-coder:7b',
      dataDir: join(dataDir, 'opencode'),
      openaiCompatible: { baseUrl: 'http://127.0.0.1:11434/v1', apiKey: null },
    });
    expect((await load([], { ...env, OPEN_COWORK_CLOUD_RUNTIME: 'opencode' })).config.runtime.model).toBe('openai/gpt-4.1-mini');
  });

  it('refuses an unknown runtime, OpenCode without a model, and openai-compatible without a base URL', async () => {
    await expect(load(['--runtime', 'magic'])).rejects.toThrow(/scripted or opencode/);
    await expect(load(['--runtime', 'opencode'])).rejects.toThrow(/--model <provider>\/<model>/);
    await expect(load(['--runtime', 'opencode', '--model', 'gpt-4'])).rejects.toThrow(/--model <provider>\/<model>/);
    await expect(load(['--runtime', 'opencode', '--model', 'openai-compatible/llama3'])).rejects.toThrow(/OPENAI_COMPATIBLE_BASE_URL/);
  });
});
