import { describe, expect, it } from 'vitest';
import { redactConfig, scrub, scrubValue, secretPaths, secretValues } from './secrets';

const schema = {
  type: 'object',
  properties: {
    user: { type: 'string' },
    token: { type: 'string', secret: true },
    auth: { type: 'object', properties: { password: { type: 'string', secret: true }, name: { type: 'string' } } },
    passwords: { type: 'object', secret: true, additionalProperties: { type: 'string' } },
  },
};

describe('secrets in plugin configs', () => {
  it('finds secret fields, nested ones too', () => {
    expect(secretPaths(schema)).toEqual(['token', 'auth.password', 'passwords']);
  });

  it('finds secrets behind optional/nullable wrappers, and lists holding secrets as a whole', () => {
    const wrapped = {
      type: 'object',
      properties: {
        key: { anyOf: [{ type: 'string', secret: true }, { type: 'null' }] },
        proxy: { anyOf: [{ type: 'object', properties: { pass: { type: 'string', secret: true } } }, { type: 'null' }] },
        cameras: { type: 'array', items: { type: 'object', properties: { url: { type: 'string' }, password: { type: 'string', secret: true } } } },
        names: { type: 'array', items: { type: 'string' } },
      },
    };
    expect(secretPaths(wrapped)).toEqual(['key', 'proxy.pass', 'cameras']);
    const { values, secrets } = redactConfig({ key: 'k-123456', cameras: [{ url: 'rtsp://cam', password: 'pw-123456' }], names: ['a'] }, secretPaths(wrapped));
    expect(values).toEqual({ names: ['a'] });
    expect(secrets).toEqual({ key: true, 'proxy.pass': false, cameras: true });
  });

  it('redacts values and says which are set', () => {
    const config = { user: 'me', token: 't0ken-123', auth: { password: '', name: 'n' }, passwords: { cam1: 'pw-cam-1' } };
    const { values, secrets } = redactConfig(config, secretPaths(schema));
    expect(values).toEqual({ user: 'me', auth: { name: 'n' } });
    expect(secrets).toEqual({ token: true, 'auth.password': false, passwords: true });
    expect(redactConfig({ passwords: {} }, ['passwords']).secrets).toEqual({ passwords: false });
    expect(config.token).toBe('t0ken-123');
  });

  it('scrubs every secret value, strings inside maps included, from text and log fields', () => {
    const values = secretValues({ token: 't0ken-123', passwords: { cam1: 'pw-cam-1' } }, secretPaths(schema));
    expect(values).toEqual(['t0ken-123', 'pw-cam-1']);
    expect(scrub('Bearer t0ken-123 and pw-cam-1!', values)).toBe('Bearer *** and ***!');
    expect(scrubValue({ a: ['x t0ken-123'], b: { c: 'pw-cam-1' }, n: 5 }, values)).toEqual({ a: ['x ***'], b: { c: '***' }, n: 5 });
  });
});
