// V8's collection schedule while a large object streams through the function.

/** From this size on an object streams long enough for the collector's schedule to matter. */
export const LARGE_OBJECT_BYTES = 64 * 1024 * 1024;

/** The V8 flag: let the heap grow to 4 x what survived the last full collection before the next one. */
export const STREAMING_GC_FLAG = '--heap-growing-percent=300';

/**
 * A tuner that sets {@link STREAMING_GC_FLAG} the first time an object of at least {@link LARGE_OBJECT_BYTES} (or
 * of unknown size) is about to stream, and returns whether that call set it. Why: the object's bytes arrive in
 * 64 KiB socket buffers held outside the JavaScript heap, which V8 counts against the heap's growth limit; with its
 * default growing factor it ran a full collection every ~25 MiB read, 16-20 % of the function's CPU, and a 1 GiB
 * object moved at 0.59-0.65 x the raw copy (bench/README.md, streaming ingest). With the flag: 5-8 % GC,
 * 0.74-0.75 x, peak RSS unchanged (134-138 MiB). It is a process-wide V8 flag that Lambda's NODE_OPTIONS refuses,
 * hence `v8.setFlagsFromString`, which V8 reads at each collection; node:v8 loads in 2-4 ms, so only when a large
 * object comes, never at cold start. `setFlags` is injectable for tests.
 */
export function gcTuner(setFlags: (flags: string) => void = setV8Flags): (size: number | undefined) => boolean {
  let tuned = false;
  return (size) => {
    if (tuned || (size !== undefined && size < LARGE_OBJECT_BYTES)) return false;
    setFlags(STREAMING_GC_FLAG);
    tuned = true;
    return true;
  };
}

function setV8Flags(flags: string): void {
  process.getBuiltinModule('node:v8').setFlagsFromString(flags);
}
