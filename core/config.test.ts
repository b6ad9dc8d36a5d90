import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { commaList, loadConfig } from './config.js';
import { ConfigError } from './errors.js';
import { kafkaConfigSchema } from './kafka/config.js';

const schema = z.object({
  kafka: kafkaConfigSchema,
  network: z.object({ id: z.string().regex(/^[a-z-]+$/), languages: commaList(z.string()).default([]) }),
});

function failure(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('core/config', () => {
  it('reads YAML and applies defaults', () => {
    const config = loadConfig(schema, {
      file: 'adapter.yaml',
      text: 'kafka:\n  brokers: [127.0.0.1:9092]\nnetwork:\n  id: ejn\n',
      env: {},
    });
    expect(config.kafka).toMatchObject({ brokers: ['127.0.0.1:9092'], clientId: 'comity', ssl: false });
    expect(config.network).toEqual({ id: 'ejn', languages: [] });
  });

  it('lets KAFKA_BROKERS and COMITY_ variables override the file', () => {
    const config = loadConfig(schema, {
      file: 'adapter.yaml',
      text: 'kafka:\n  brokers: [a:1]\nnetwork:\n  id: ejn\n',
      env: { KAFKA_BROKERS: 'b:2, c:3', COMITY_KAFKA__CLIENT_ID: 'router-1', COMITY_NETWORK__LANGUAGES: 'es,pt' },
    });
    expect(config.kafka.brokers).toEqual(['b:2', 'c:3']);
    expect(config.kafka.clientId).toBe('router-1');
    expect(config.network.languages).toEqual(['es', 'pt']);
  });

  it('reads numbers and booleans from the environment where the schema wants them', () => {
    const config = loadConfig(schema, {
      file: 'adapter.yaml',
      text: 'kafka:\n  brokers: [a:1]\nnetwork:\n  id: ejn\n',
      env: { COMITY_KAFKA__REQUEST_TIMEOUT_MS: '5000', COMITY_KAFKA__SSL: 'true', COMITY_KAFKA__CLIENT_ID: '42' },
    });
    expect(config.kafka).toMatchObject({ requestTimeoutMs: 5000, ssl: true, clientId: '42' });
    const bad = failure(() => loadConfig(schema, { file: 'a.yaml', text: 'network:\n  id: ejn\n', env: { KAFKA_BROKERS: 'a:1', COMITY_KAFKA__SSL: 'maybe' } }));
    expect(bad.issues[0]?.field).toBe('kafka.ssl');
    expect(bad.issues[0]?.message).toContain('(from COMITY_KAFKA__SSL)');
  });

  it('names the file, line and field of every problem', () => {
    const error = failure(() =>
      loadConfig(schema, {
        file: 'adapter.yaml',
        text: 'kafka:\n  brokers:\n    - not a broker\nnetwork:\n  id: EJN\n',
        env: {},
      }),
    );
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.retriable).toBe(false);
    expect(error.issues).toEqual([
      expect.objectContaining({ field: 'kafka.brokers.0', line: 3 }),
      expect.objectContaining({ field: 'network.id', line: 5 }),
    ]);
    expect(error.message).toContain('adapter.yaml:3: kafka.brokers.0: expected host:port');
    expect(error.message).toContain('adapter.yaml:5: network.id');
  });

  it('points a missing field at its parent and an env override at its variable', () => {
    const missing = failure(() => loadConfig(schema, { file: 'a.yaml', text: 'kafka:\n  clientId: x\nnetwork:\n  id: ejn\n', env: {} }));
    expect(missing.issues[0]).toMatchObject({ field: 'kafka.brokers', line: 2 });

    const fromEnv = failure(() => loadConfig(schema, { file: 'a.yaml', text: 'network:\n  id: ejn\n', env: { KAFKA_BROKERS: 'nope' } }));
    expect(fromEnv.issues[0]?.message).toContain('(from KAFKA_BROKERS)');
  });

  it('refuses YAML that does not parse, with its line', () => {
    const error = failure(() => loadConfig(schema, { file: 'bad.yaml', text: 'kafka:\n  brokers: [a:1\nnetwork: {', env: {} }));
    expect(error.issues[0]?.field).toBe('(yaml)');
    expect(error.issues[0]?.line).toBeGreaterThan(0);
  });

  it('refuses a file that cannot be read', () => {
    const error = failure(() => loadConfig(schema, { file: '/nonexistent/comity.yaml', env: {} }));
    expect(error.message).toContain('/nonexistent/comity.yaml');
  });
});
