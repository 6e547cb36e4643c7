import { RaspimonError } from '../errors.js';

/** The status server could not listen (port in use, address not available, no permission). */
export class StatusServerError extends RaspimonError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_STATUS_LISTEN', message, options);
    this.name = 'StatusServerError';
  }
}
