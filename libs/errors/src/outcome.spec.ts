import { ErrorCode, HeraldError } from './herald.error.js';
import { classifyFailure, decide, failureClassOf, type FailureContext } from './outcome.js';

/** A pg driver error as TypeORM hands it over (QueryFailedError keeps it as driverError). */
function queryFailed(code: string, message = 'driver'): Error {
  return Object.assign(new Error('query failed'), {
    name: 'QueryFailedError',
    driverError: Object.assign(new Error(message), { code }),
  });
}

function kafkaProtocol(type: string): Error {
  return Object.assign(new Error(type), { name: 'KafkaJSProtocolError', type });
}

describe('classifyFailure', () => {
  it.each([
    ['22P05 (a lone surrogate into jsonb)', '22P05'],
    ['22021 (NUL in text)', '22021'],
    ['22001 (value too long)', '22001'],
    ['23505 (unique violation)', '23505'],
    ['23503 (foreign key violation)', '23503'],
    ['42P01 (undefined table)', '42P01'],
  ])('PostgreSQL %s is permanent', (_, code) => {
    expect(classifyFailure(queryFailed(code))).toBe('permanent');
  });

  it.each([
    ['08006 (connection failure)', '08006'],
    ['57P01 (admin shutdown)', '57P01'],
    ['57P03 (cannot connect now)', '57P03'],
    ['53300 (too many connections)', '53300'],
  ])('PostgreSQL %s is an outage', (_, code) => {
    expect(classifyFailure(queryFailed(code))).toBe('outage');
  });

  it.each(['40001', '40P01', '55P03'])(
    'PostgreSQL %s (a conflict that may pass) is transient',
    (code) => {
      expect(classifyFailure(queryFailed(code))).toBe('transient');
    },
  );

  it('a statement cut off by statement_timeout (57014) is an outage: the database is stalled', () => {
    expect(
      classifyFailure(queryFailed('57014', 'canceling statement due to statement timeout')),
    ).toBe('outage');
  });

  it('a statement someone cancelled (57014, user request) is transient: this query only', () => {
    expect(classifyFailure(queryFailed('57014', 'canceling statement due to user request'))).toBe(
      'transient',
    );
  });

  it.each(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD', 'CORRUPT_MESSAGE'])(
    'Kafka %s is permanent, also when kafkajs wraps it',
    (type) => {
      expect(classifyFailure(kafkaProtocol(type))).toBe('permanent');
      const wrapped = Object.assign(new Error('retries exceeded'), {
        name: 'KafkaJSNumberOfRetriesExceeded',
        originalError: kafkaProtocol(type),
      });
      expect(classifyFailure(wrapped)).toBe('permanent');
    },
  );

  it.each([
    'KafkaJSConnectionError',
    'KafkaJSRequestTimeoutError',
    'KafkaJSNumberOfRetriesExceeded',
  ])('kafkajs %s is an outage', (name) => {
    expect(classifyFailure(Object.assign(new Error('down'), { name }))).toBe('outage');
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND'])(
    'a socket %s is an outage',
    (code) => {
      expect(classifyFailure(Object.assign(new Error('socket'), { code }))).toBe('outage');
    },
  );

  it("pg's connection-terminated error (no code) is an outage", () => {
    expect(classifyFailure(new Error('Connection terminated unexpectedly'))).toBe('outage');
  });

  it('HeraldErrors say their own kind', () => {
    expect(classifyFailure(HeraldError.invalid('x', 'bad'))).toBe('permanent');
    expect(classifyFailure(HeraldError.transient(ErrorCode.Internal, 'flaky'))).toBe('transient');
    expect(classifyFailure(HeraldError.outage(ErrorCode.DependencyUnavailable, 'down'))).toBe(
      'outage',
    );
    expect(
      classifyFailure(
        new HeraldError(ErrorCode.RecordRefused, 'too big', { failure: 'permanent' }),
      ),
    ).toBe('permanent');
  });

  it('an error caused by a permanent one is permanent', () => {
    expect(classifyFailure(new Error('wrapped', { cause: queryFailed('23505') }))).toBe(
      'permanent',
    );
  });

  it('anything unknown (a bug, a render error thrown as TypeError) is transient: bounded, then the DLQ', () => {
    expect(classifyFailure(new TypeError('x is undefined'))).toBe('transient');
    expect(classifyFailure('a string')).toBe('transient');
    expect(classifyFailure(null)).toBe('transient');
  });

  it('schema failures are labelled invalid for DLQ headers and metrics', () => {
    expect(failureClassOf(new HeraldError(ErrorCode.InvalidEvent, 'bad event'))).toBe('invalid');
    expect(failureClassOf(queryFailed('22P05'))).toBe('permanent');
  });
});

describe('decide', () => {
  const consumer = (attempts: number): FailureContext => ({
    site: 'consumer',
    attempts,
    maxAttempts: 5,
  });
  const delivery = (attempts: number): FailureContext => ({
    site: 'delivery',
    attempts,
    maxAttempts: 4,
  });

  it('an outage pauses, whatever the attempts, never dead-letters', () => {
    expect(decide('outage', consumer(1))).toEqual({ action: 'pause' });
    expect(decide('outage', consumer(99))).toEqual({ action: 'pause' });
    expect(decide('outage', delivery(99))).toEqual({ action: 'pause' });
  });

  it('a consumer retries transient failures in place until the budget is spent, then dead-letters', () => {
    expect(decide('transient', consumer(1))).toEqual({ action: 'retry-now' });
    expect(decide('transient', consumer(4))).toEqual({ action: 'retry-now' });
    expect(decide('transient', consumer(5))).toEqual({ action: 'dead-letter' });
    expect(decide('account', consumer(2))).toEqual({ action: 'retry-now' });
  });

  it('a consumer dead-letters permanent failures at once', () => {
    expect(decide('permanent', consumer(1))).toEqual({ action: 'dead-letter' });
  });

  it('a delivery retries later on the retry topics, then fails with a DLQ copy', () => {
    expect(decide('account', delivery(1))).toEqual({ action: 'retry-later' });
    expect(decide('transient', delivery(3))).toEqual({ action: 'retry-later' });
    expect(decide('transient', delivery(4))).toEqual({ action: 'fail', deadLetter: true });
  });

  it('a delivery that can never succeed fails at once, without a DLQ copy', () => {
    expect(decide('permanent', delivery(1))).toEqual({ action: 'fail', deadLetter: false });
  });
});
