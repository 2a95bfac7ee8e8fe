import { isKafkajsTimerWarning } from './kafkajs-warnings.js';

function warning(name: string, frame: string): Error {
  const error = new Error('-1795284342875 is a negative number.');
  error.name = name;
  error.stack = `${name}: -1795284342875 is a negative number.\n    at setTimeout (node:timers:142:15)\n    at ${frame}`;
  return error;
}

describe('isKafkajsTimerWarning', () => {
  it("recognises kafkajs's request-queue timer warning", () => {
    expect(
      isKafkajsTimerWarning(
        warning(
          'TimeoutNegativeWarning',
          'RequestQueue.scheduleCheckPendingRequests (/app/node_modules/kafkajs/src/network/requestQueue/index.js:317:37)',
        ),
      ),
    ).toBe(true);
  });

  it("keeps the same warning from any other code, and kafkajs's other warnings", () => {
    expect(
      isKafkajsTimerWarning(
        warning('TimeoutNegativeWarning', 'retry (/app/dist/libs/delivery-core/src/x.js:1:1)'),
      ),
    ).toBe(false);
    expect(
      isKafkajsTimerWarning(
        warning(
          'DeprecationWarning',
          'Object.<anonymous> (/app/node_modules/kafkajs/src/index.js:1:1)',
        ),
      ),
    ).toBe(false);
  });
});
