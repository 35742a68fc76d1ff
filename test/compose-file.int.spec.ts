import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import composeSpec from './schemas/compose-spec.json';

/* eslint-disable @typescript-eslint/no-explicit-any -- a compose file is YAML walked generically */

const root = path.join(__dirname, '..');
// Compose resolves YAML merge keys (`<<: *ledger-env`) before validating.
const compose: any = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true });

/**
 * docker-compose.yml cannot be run here (no Docker engine, no compose plugin), so it is checked as `docker compose
 * config` would: against the Compose Specification's JSON Schema (vendored, see test/schemas/README.md); and for
 * what the stack needs: a healthcheck on every service, and the ledger and worker starting only once Kafka,
 * PostgreSQL and Redis are healthy.
 */
describe('docker-compose.yml', () => {
  it('is a valid Compose file', () => {
    const { $schema: _draft, ...schema } = composeSpec as Record<string, unknown>;
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    const ok = validate(compose);
    expect(ajv.errorsText(validate.errors)).toBe('No errors');
    expect(ok).toBe(true);
  });

  it('refuses what Compose refuses (the schema check is not vacuous)', () => {
    const { $schema: _draft, ...schema } = composeSpec as Record<string, unknown>;
    const validate = new Ajv({ strict: false }).compile(schema);
    expect(validate({ services: { x: { image: 'a', depends_on: { y: { condition: 'whenever' } } } } })).toBe(
      false,
    );
    expect(
      validate({ services: { x: { image: 'a', healthcheck: { test: 'true', intervall: '5s' } } } }),
    ).toBe(false);
  });

  it('gives every service a healthcheck', () => {
    const services = Object.entries(compose.services) as Array<[string, any]>;
    const plain = ['demo', 'kafka', 'ledger', 'postgres', 'redis', 'worker'];
    // The `secure` profile (the production template) mirrors the plain stack, plus the one-shot that makes
    // Kafka's users, topics and ACLs.
    const secure = [...plain.map((name) => `${name}-secure`), 'kafka-setup'];
    expect(services.map(([name]) => name).sort()).toEqual([...plain, ...secure].sort());
    for (const name of secure)
      expect({ name, profiles: compose.services[name].profiles }).toEqual({ name, profiles: ['secure'] });
    for (const [name, service] of services) {
      expect({ name, test: Array.isArray(service.healthcheck?.test) }).toEqual({ name, test: true });
      expect({ name, disabled: service.healthcheck.disable === true }).toEqual({ name, disabled: false });
    }
  });

  it('starts the ledger and the worker once Kafka, PostgreSQL and Redis are healthy, and probes readiness', () => {
    for (const name of ['ledger', 'worker']) {
      for (const dependency of ['kafka', 'postgres', 'redis']) {
        expect({
          name,
          dependency,
          condition: compose.services[name].depends_on?.[dependency]?.condition,
        }).toEqual({
          name,
          dependency,
          condition: 'service_healthy',
        });
      }
      expect(compose.services[name].healthcheck.test.join(' ')).toMatch(/\/health\/ready/);
    }
    expect(compose.services.worker.environment.WORKER_PORT).toBe('3001');
    // The secure template probes the same way, once kafka-setup has made its users and ACLs.
    expect(compose.services['ledger-secure'].depends_on['kafka-setup'].condition).toBe(
      'service_completed_successfully',
    );
    for (const name of ['ledger-secure', 'worker-secure'])
      expect(compose.services[name].healthcheck.test.join(' ')).toMatch(/\/health\/ready/);
    expect(compose.services['worker-secure'].environment.WORKER_PORT).toBe('3001');
  });
});
