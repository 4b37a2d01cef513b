/**
 * The `Location` for a click: the destination, plus the click's query string when the link
 * forwards it. The forwarded query goes before any `#fragment`, joined with `&` when the
 * destination already has one. Node refuses header values with CR/LF, and the request line
 * cannot carry them, so nothing here can split the response.
 */
export function redirectLocation(destination: string, query: string, forwardQuery: boolean): string {
  if (!forwardQuery || query === '') return destination;
  const hash = destination.indexOf('#');
  const base = hash === -1 ? destination : destination.slice(0, hash);
  const fragment = hash === -1 ? '' : destination.slice(hash);
  const joiner = base.includes('?') ? (base.endsWith('?') || base.endsWith('&') ? '' : '&') : '?';
  return `${base}${joiner}${query}${fragment}`;
}
