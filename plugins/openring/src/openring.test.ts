import { describe, expect, it } from 'vitest';
import { whepRefusal } from './whep';

describe('whepRefusal', () => {
  it('classifies what a WHEP server answers instead of an SDP', () => {
    expect(whepRefusal(401, 'https://cam/whep', 'token expired')).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('HTTP 401 (token expired): check the credentials') });
    expect(whepRefusal(404, 'https://cam/whep', '')).toMatchObject({ code: 'NOT_FOUND' });
    expect(whepRefusal(503, 'https://cam/whep', 'busy')).toMatchObject({ code: 'UNAVAILABLE' });
    expect(whepRefusal(429, 'https://cam/whep', '')).toMatchObject({ code: 'UNAVAILABLE' });
    expect(whepRefusal(400, 'https://cam/whep', 'bad offer')).toMatchObject({ code: 'INVALID_INPUT' });
  });
});
