import { SecretBox } from './secret-box.js';

describe('SecretBox', () => {
  it('round-trips a value and never stores it in the clear', () => {
    const box = new SecretBox('a-long-enough-test-secret');
    const sealed = box.seal({ accessToken: 'EAAG-secret' });
    expect(sealed).not.toContain('EAAG');
    expect(box.open(sealed)).toEqual({ accessToken: 'EAAG-secret' });
  });

  it('refuses a value sealed with another key', () => {
    const sealed = new SecretBox('first-key-0123456789').seal('x');
    expect(() => new SecretBox('second-key-0123456789').open(sealed)).toThrow();
  });
});
