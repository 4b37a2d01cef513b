/**
 * The baseline for `bench/redirect.ts`: a bare `node:http` server that answers a 302 from a Map,
 * with the same headers and server options as the Clickwire edge (`src/roles/edge.ts`) and nothing
 * else — no capture, no logging. Whatever Clickwire costs on top of this is the price of capture.
 *
 *   node bench/bare-redirect-server.mjs [port]     (port 0 or absent: any free port)
 *
 * Prints `listening <port>` on stdout once it accepts connections; exits on SIGTERM/SIGINT.
 */
import http from 'node:http';

const routes = new Map([['/bench', 'https://example.com/landing']]);
const NO_CACHE = 'private, max-age=0';

const server = http.createServer(
  { maxHeaderSize: 16 * 1024, requestTimeout: 10_000, headersTimeout: 5_000, keepAliveTimeout: 5_000 },
  (req, res) => {
    const url = req.url ?? '/';
    const queryStart = url.indexOf('?');
    const location = routes.get(queryStart === -1 ? url : url.slice(0, queryStart));
    if (location === undefined) {
      res.writeHead(404, { 'Cache-Control': NO_CACHE, 'Content-Length': 0 }).end();
      return;
    }
    res.writeHead(302, { Location: location, 'Cache-Control': NO_CACHE, 'Content-Length': 0 }).end();
  },
);

server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2_000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
