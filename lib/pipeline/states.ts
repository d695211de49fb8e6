/** Where a pipeline item is. `failed` keeps the state it failed from in `failedFrom`. */
export type ItemState = 'received' | 'uploading' | 'committed' | 'transcoding' | 'transcoded' | 'published' | 'failed';

/** The forward states, in order; an item only ever moves to a later one. */
export const FORWARD_STATES = ['received', 'uploading', 'committed', 'transcoding', 'transcoded', 'published'] as const;
export type ForwardState = (typeof FORWARD_STATES)[number];

/**
 * The states an item may be in for a move to `to` to be allowed: every earlier forward state.
 * @example statesBefore('committed') // ['received', 'uploading']
 */
export function statesBefore(to: ForwardState): ForwardState[] {
  return FORWARD_STATES.slice(0, FORWARD_STATES.indexOf(to));
}

/** True when `state` is a known forward state. */
export function isForwardState(state: string): state is ForwardState {
  return (FORWARD_STATES as readonly string[]).includes(state);
}
