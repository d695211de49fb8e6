// Loopback ports for tests that need "nothing listens here": borrowed from the OS and given back, never a fixed
// number (port 1 or 9 may well be open on a developer's machine or a CI runner). The local stack's `freePort`
// does exactly that: connecting to the port it returns is refused (ECONNREFUSED) unless another process takes the
// same port in between, which the OS's rotation of ephemeral ports makes unlikely within a test.
export { freePort as closedPort } from '../../local/stack/ports.ts';
