import { ArgumentMetadata, BadRequestException, Injectable, ValidationPipe } from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import { clip, declaredFields, isApiDto } from './fields';

/** What the validator found: unknown names, or the first message of each refused field. */
class Refusal extends Error {
  constructor(
    readonly unknown: string[],
    readonly allowed: string[],
    readonly messages: string[],
  ) {
    super('refused');
  }
}

function refusal(errors: ValidationError[]): Refusal {
  const unknown = errors.filter((e) => e.constraints?.whitelistValidation).map((e) => e.property);
  const dto = errors[0]?.target?.constructor as (new () => object) | undefined;
  const messages = errors
    .filter((e) => !e.constraints?.whitelistValidation)
    .flatMap((e) => Object.values(e.constraints ?? {}).slice(0, 1));
  return new Refusal(unknown, dto ? declaredFields(dto).map((f) => f.name) : [], messages);
}

/**
 * Validates the API's body and query DTOs (classes declared with the field decorators of ./fields) and nothing
 * else, so pages with their own form handling are not touched. Unknown fields are refused and named; each refused
 * field answers 400 with a message that names it; the handler gets the DTO instance, instants normalised.
 */
@Injectable()
export class ApiValidationPipe extends ValidationPipe {
  constructor() {
    super({
      transform: true,
      whitelist: true,
      forbidNonWhitelisted: true,
      // A body DTO without fields (an action that takes none) still refuses every field sent.
      forbidUnknownValues: false,
      stopAtFirstError: true,
      validationError: { target: true, value: true },
      exceptionFactory: refusal,
    });
  }

  protected override toValidate(metadata: ArgumentMetadata): boolean {
    return isApiDto(metadata.metatype) && super.toValidate(metadata);
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (!isApiDto(metadata.metatype)) return value;
    if (value !== undefined && value !== null && (typeof value !== 'object' || Array.isArray(value))) {
      throw new BadRequestException('body must be a JSON object');
    }
    try {
      return await super.transform(value ?? {}, metadata);
    } catch (e) {
      if (!(e instanceof Refusal)) throw e;
      const where = metadata.type === 'query' ? 'query parameter(s)' : 'field(s)';
      if (e.unknown.length) {
        throw new BadRequestException(
          `unknown ${where}: ${e.unknown.map(clip).join(', ')}; allowed: ${e.allowed.join(', ') || 'none'}`,
        );
      }
      throw new BadRequestException(e.messages.join('; '));
    }
  }
}
