export { ALGORITHM, EMPTY_SHA256, canonicalQuery, escapeUri, parseQuery } from './canonical.ts';
export { type CredentialSources, type Credentials, lazyCredentials, resolveCredentials } from './credentials.ts';
export { ConfigError, SigningError } from './errors.ts';
export { type Policy, Resource, Statement, isAllowed, parsePolicy, playPolicy, uploadPolicy, wildcardMatch } from './policy.ts';
export { pythonJson } from './python-json.ts';
export { DEFAULT_REGION, REGIONS, type Region, isRegion, regionHost } from './regions.ts';
export { type ApiRequest, type SignOptions, signRequest } from './sign-request.ts';
export { smithySigner } from './smithy.ts';
export { DEFAULT_EXPIRES_SECONDS, MAX_EXPIRES_SECONDS, type QueryRequest, checkExpires, signQuery } from './sign-query.ts';
export {
  MIN_STS2_EXPIRE_SECONDS, type Randomness, type Sts2Check, type Sts2Credentials, type Sts2Token, cryptoRandomness,
  decodeSts2Token, issueSts2, verifySts2,
} from './sts2.ts';
export { type IncomingRequest, type VerifyErrorCode, type VerifyOptions, type VerifyResult, verifyRequest } from './verify-request.ts';
