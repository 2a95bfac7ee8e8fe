// The default (LOG_FORMAT=text) logger: Nest's console format, with the same scrubbing as the
// JSON logger applied to every formatted line and stack trace, so no format leaks a secret.
import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { scrub } from './json-logger.js';

export class TextLogger extends ConsoleLogger {
  protected override formatMessage(
    logLevel: LogLevel,
    message: unknown,
    pidMessage: string,
    formattedLogLevel: string,
    contextMessage: string,
    timestampDiff: string,
    params?: Record<string, unknown>,
  ): string {
    return scrub(
      super.formatMessage(
        logLevel,
        message,
        pidMessage,
        formattedLogLevel,
        contextMessage,
        timestampDiff,
        params,
      ),
    );
  }

  // Nest calls this with no stack when `error()` gets a message alone: nothing to print then.
  protected override printStackTrace(stack: string | undefined): void {
    if (stack) super.printStackTrace(scrub(stack));
  }
}
