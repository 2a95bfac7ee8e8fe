// Operator passwords: argon2id with OWASP's first recommended setting (19 MiB, 2 passes, 1
// lane): memory-hard, yet a burst of sign-ins does not take the gateway's memory (the library's
// default is 64 MiB a hash). Verified in constant time by the library; a verify against a fixed
// dummy hash keeps an unknown email as slow as a wrong password.
import { Injectable } from '@nestjs/common';
import argon2 from 'argon2';

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

@Injectable()
export class PasswordHasher {
  private dummy?: Promise<string>;

  hash(password: string): Promise<string> {
    return argon2.hash(password, {
      type: argon2.argon2id,
      memoryCost: 19_456,
      timeCost: 2,
      parallelism: 1,
    });
  }

  async verify(hash: string | null, password: string): Promise<boolean> {
    if (hash === null) {
      this.dummy ??= this.hash('herald-dummy-password-for-timing');
      await argon2.verify(await this.dummy, password).catch(() => false);
      return false;
    }
    return argon2.verify(hash, password).catch(() => false);
  }
}
