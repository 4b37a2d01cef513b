// A subscriber for the webhook benchmark, in its own process: answers 204 at once, and records
// when each request arrived (wall clock with sub-ms precision) with a key: for click events the
// referrer host the click carried (which ties a receipt to the click that caused it), else the
// event id.
// Talks to the parent over IPC: {type:'ready', port}; on 'report' sends {type:'report', ...}.
import http from 'node:http';

const arrivals = [];
let count = 0;
let first = 0;
let last = 0;
const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const at = performance.timeOrigin + performance.now();
    if (count === 0) first = at;
    last = at;
    count++;
    if (process.env.RECORD_KEYS === '1') {
      const body = Buffer.concat(chunks).toString('utf8');
      const match = /"referrer_host":"([^"]+)"/.exec(body);
      const key = match ? match[1] : /"event_id":"([^"]+)"/.exec(body)?.[1];
      if (key) arrivals.push([key, at]);
    }
    res.writeHead(204);
    res.end();
  });
});
server.listen(0, '127.0.0.1', () => process.send({ type: 'ready', port: server.address().port }));
process.on('message', (message) => {
  if (message.type === 'reset') {
    arrivals.length = 0;
    count = 0;
    first = 0;
    last = 0;
    process.send({ type: 'reset' });
  } else if (message.type === 'report') {
    process.send({ type: 'report', count, first, last, arrivals });
  } else if (message.type === 'stop') {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  }
});
