/** Bad input to a signing operation (an expiry out of range, a malformed token, ...). */
export class SigningError extends Error {
  override readonly name = 'SigningError';
}

/** A configuration problem found before any request is made (unknown region, no credentials). */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
