import { BadRequestException, Param, PipeTransform } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { ID_RE, ID_RULE, show } from './fields';

class PathIdPipe implements PipeTransform<string, string> {
  constructor(private readonly label: string) {}

  transform(raw: string): string {
    if (!ID_RE.test(raw)) throw new BadRequestException(`${this.label} must be ${ID_RULE}, got ${show(raw)}`);
    return raw;
  }
}

/**
 * A path id (customer, order, request), checked (400 naming it as `label`) and documented in one declaration:
 * `@PathId('id', 'customer id') id: string`.
 */
export function PathId(name: string, label = name): ParameterDecorator {
  return (target, key, index) => {
    Param(name, new PathIdPipe(label))(target, key, index);
    const descriptor = Object.getOwnPropertyDescriptor(target, key!)!;
    ApiParam({
      name,
      description: label,
      schema: { type: 'string', pattern: ID_RE.source, minLength: 1, maxLength: 128 },
    })(target, key!, descriptor);
  };
}
