/**
 * The one base class of errors a person caused and can fix: bad input, a missing or foreign
 * file, a port in use. The CLI prints such an error's message on one line
 * (`spikeloco CMD: what is wrong and what to do`) and exits 2; anything else is a bug and
 * gets a stack trace. Every layer's own error type (SchemaError, SpecError, ConditionError,
 * CheckpointError, UsageError, …) extends this, so callers catch one thing.
 */
export class UserError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UserError';
  }
}

export function isUserError(err: unknown): err is UserError {
  return err instanceof UserError;
}
