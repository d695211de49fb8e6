import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { config } from './config.ts';

let bus: EventBridgeClient | undefined;

/** The EventBridge client of this process (endpoint from AWS_ENDPOINT_URL_EVENTBRIDGE). */
export function eventBridgeClient(): EventBridgeClient {
  bus ??= new EventBridgeClient({ region: config().awsRegion });
  return bus;
}
