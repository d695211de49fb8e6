/** Headers as API Gateway passes them (serverless-offline keeps their raw case). */
export type Headers = Readonly<Record<string, string | undefined>> | null | undefined;

/** The value of a header, its name matched case-insensitively; `name` is lower case. */
export function headerValue(headers: Headers, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers ?? {})) if (key.toLowerCase() === name) return value;
  return undefined;
}
