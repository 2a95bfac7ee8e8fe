import { ValidationPipe } from '@nestjs/common';
import { HeraldError } from '@herald/errors';

/** The gateway's global pipe for class-validator DTOs: a refusal is a 400 naming the first field. */
export function gatewayValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const first = errors[0];
      const messages = errors.flatMap((e) => [
        ...Object.values(e.constraints ?? {}),
        ...(e.children ?? []).flatMap((c) =>
          Object.values(c.constraints ?? {}).map((m) => `${e.property}.${m}`),
        ),
      ]);
      return HeraldError.invalid(
        first?.property ?? 'body',
        messages.join('; ') || 'The body is invalid.',
      );
    },
  });
}
