/**
 * Recorded benchmark results must not carry the addresses of the package
 * registries a peer build talked to (an error message from `go install`
 * names the module proxy, say). Loopback addresses stay: they are the
 * benchmark's own servers and tell nothing about the machine.
 */
const REMOTE_URL = /\b(https?):\/\/(?!(?:127\.0\.0\.1|localhost|\[::1\])(?::\d+)?(?:\/|\b))[^\s"'/]+/g;

/** Replaces the host of every non-loopback URL with `<remote>`. */
export function redactRemoteHosts(text: string): string {
  return text.replace(REMOTE_URL, '$1://<remote>');
}
