export { AwsError, type AwsErrorInit, errorFromException, errorFromResponse, isRetryableAws } from './errors.ts';
export { type AwsContext, type AwsRequest, awsJson, signAws } from './request.ts';
export { DynamoDb, type DeleteInput, type Doc, type GetInput, type PutInput, type QueryInput, type UpdateInput } from './dynamodb.ts';
export { type ObjectRef, type S3Context, getObject, objectLocation } from './s3.ts';
