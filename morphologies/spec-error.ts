/**
 * The one error type of this folder: a bad morphology (file, field) or a bad variant argument.
 * The CLI prints its message as a usage error, so the message says where, which field, and
 * what was expected or which choices exist.
 */
import { UserError } from '../core/errors.js';
export class SpecError extends UserError {
  /**
   * @param path   the field (`bodies[4].parent`) or argument (`leg`) at fault
   * @param detail what is wrong and what would be right
   * @param where  what was being read: a file name, `morphology "ant"`, or a variant's name
   */
  constructor(
    readonly path: string,
    readonly detail: string,
    readonly where = '',
    options?: ErrorOptions,
  ) {
    super(`${where ? where + ': ' : ''}${path || '(root)'}: ${detail}`, options);
    this.name = 'SpecError';
  }
}
