import { AwsError } from '#lib/aws';

/**
 * `target` (an ItemStore, say), except that its first call of `method` throws DynamoDB's throughput error, as a write
 * throttled beyond the client's retries does; every other call goes through, bound to `target` (private fields work).
 */
export function throttledOnce<T extends object>(target: T, method: keyof T & string): T {
  let fails = 1;
  return new Proxy(target, {
    get(t, prop) {
      if (prop === method && fails-- > 0) {
        return async () => { throw new AwsError({ code: 'ProvisionedThroughputExceededException', message: 'throttled', action: 'dynamodb.UpdateItem', httpStatus: 400 }); };
      }
      const v = Reflect.get(t, prop, t) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
}
