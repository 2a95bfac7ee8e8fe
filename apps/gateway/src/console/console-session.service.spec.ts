import { cookieValue, sameSecret } from './console-session.service.js';
import { parseNewOperator, parseOperatorPatch } from './operators.controller.js';

describe('console sessions and accounts', () => {
  it('reads one cookie out of a Cookie header', () => {
    expect(cookieValue('a=1; herald_console=abc_DEF-123; b=2', 'herald_console')).toBe(
      'abc_DEF-123',
    );
    expect(cookieValue('herald_console_x=1', 'herald_console')).toBeNull();
    expect(cookieValue(undefined, 'herald_console')).toBeNull();
    expect(cookieValue('herald_console=', 'herald_console')).toBeNull();
  });

  it('compares secrets whatever their lengths', () => {
    expect(sameSecret('token', 'token')).toBe(true);
    expect(sameSecret('token', 'token2')).toBe(false);
    expect(sameSecret('', 'x')).toBe(false);
  });

  it('checks a new operator, naming the field at fault', () => {
    const bot = '0b6f3a44-2f55-4b8e-9a6b-3c1f0f8e2a11';
    expect(
      parseNewOperator({
        email: ' Ada@Example.COM ',
        password: 'twelve chars!',
        role: 'operator',
        botIds: [bot, bot],
      }),
    ).toEqual({
      email: 'ada@example.com',
      password: 'twelve chars!',
      role: 'operator',
      botIds: [bot],
    });
    expect(
      parseNewOperator({ email: 'root@example.com', password: 'twelve chars!', role: 'admin' })
        .botIds,
    ).toEqual([]);
    const field = (body: unknown) => {
      try {
        parseNewOperator(body);
        return 'accepted';
      } catch (error) {
        return (error as { field?: string }).field;
      }
    };
    expect(field(null)).toBe('body');
    expect(field({ email: 'nope', password: 'twelve chars!', role: 'admin' })).toBe('email');
    expect(field({ email: 'a@b.c', password: 'short', role: 'admin' })).toBe('password');
    expect(field({ email: 'a@b.c', password: 'twelve chars!', role: 'root' })).toBe('role');
    expect(field({ email: 'a@b.c', password: 'twelve chars!', role: 'mobile_operator' })).toBe(
      'botIds',
    );
    expect(
      field({ email: 'a@b.c', password: 'twelve chars!', role: 'operator', botIds: ['x'] }),
    ).toBe('botIds');
    expect(field({ email: 'a@b.c', password: 'twelve chars!', role: 'admin', isRoot: true })).toBe(
      'isRoot',
    );
  });

  it('checks a change to an operator', () => {
    expect(parseOperatorPatch({ role: 'admin' })).toEqual({ role: 'admin' });
    expect(parseOperatorPatch({ password: 'twelve chars!', botIds: [] })).toEqual({
      password: 'twelve chars!',
      botIds: [],
    });
    expect(() => parseOperatorPatch({})).toThrow('Nothing to change.');
    expect(() => parseOperatorPatch({ email: 'a@b.c' })).toThrow('Unknown field(s): email.');
  });
});

describe('PasswordHasher', () => {
  it('hashes with argon2id at 19 MiB and verifies only the right password', async () => {
    const { PasswordHasher } = await import('./password.hasher.js');
    const hasher = new PasswordHasher();
    const hash = await hasher.hash('correct horse battery');
    expect(hash.startsWith('$argon2id$v=19$')).toBe(true);
    expect(hash.split('$')[3].split(',').sort()).toEqual(['m=19456', 'p=1', 't=2']);
    await expect(hasher.verify(hash, 'correct horse battery')).resolves.toBe(true);
    await expect(hasher.verify(hash, 'wrong horse battery')).resolves.toBe(false);
    await expect(hasher.verify(null, 'anything')).resolves.toBe(false);
    await expect(hasher.verify('not a hash', 'anything')).resolves.toBe(false);
  });
});
