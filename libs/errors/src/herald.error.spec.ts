import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ErrorCode, HeraldError, isRetriable } from '@herald/errors';

@Injectable()
class Probe {
  ping(): string {
    return 'pong';
  }
}

@Module({ providers: [Probe] })
class ProbeModule {}

describe('HeraldError', () => {
  it('is permanent unless marked retriable', () => {
    expect(isRetriable(HeraldError.invalid('x', 'bad x'))).toBe(false);
    expect(isRetriable(HeraldError.transient(ErrorCode.ProviderUnavailable, 'down'))).toBe(true);
    expect(isRetriable(new Error('socket hang up'))).toBe(true);
  });

  it('runs inside a NestJS 12 testing module (toolchain check)', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [ProbeModule] }).compile();
    expect(moduleRef.get(Probe).ping()).toBe('pong');
  });
});
