import { PropValidationError } from '../private/validation/errors';

/**
 * Tells the errors of this library's prop checks apart from other errors. Their message names the
 * construct's path, the prop and the value: `<path>: invalid <prop> <value>: <reason>`. jsii
 * cannot export a subclass of Error to other languages, hence a check instead of a class.
 */
export class PropValidation {
  /** Whether `x` is an error of one of this library's prop checks (from any copy of the library). */
  public static isPropValidationError(x: any): boolean {
    return PropValidationError.isPropValidationError(x);
  }

  private constructor() {}
}
