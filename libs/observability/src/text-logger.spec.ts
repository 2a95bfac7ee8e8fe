import { jest } from '@jest/globals';
import { TextLogger } from './text-logger.js';

describe('TextLogger', () => {
  it('logs an error given as a message alone (no stack), an object included, without throwing', () => {
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const logger = new TextLogger('test');
      expect(() => logger.error({ msg: 'record sent to the DLQ', runId: 'r1' })).not.toThrow();
      expect(() => logger.error('plain message')).not.toThrow();
      expect(() =>
        logger.error('with a stack', 'Error: x\n    at /hooks/abcdefghijklmnop'),
      ).not.toThrow();
      expect(write).toHaveBeenCalled();
    } finally {
      write.mockRestore();
    }
  });
});
