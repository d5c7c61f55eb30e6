// wsfan.js PORT: the Node reference of bench/ws.sh. Subscribers connect to
// /sub, one publisher to /pub; every text message of the publisher is sent,
// as the same bytes, to every open subscriber (one Buffer, ws.send for each),
// as the seat hub does with one delta. permessage-deflate is off.
'use strict';
const http = require('http');
const { WebSocketServer } = require('ws');

const port = Number(process.argv[2] || 8282);
const server = http.createServer((req, res) => { res.writeHead(404); res.end(); });
const subs = new WebSocketServer({ noServer: true, perMessageDeflate: false });
const pubs = new WebSocketServer({ noServer: true, perMessageDeflate: false });

server.on('upgrade', (req, sock, head) => {
  const wss = req.url === '/sub' ? subs : req.url === '/pub' ? pubs : null;
  if (!wss) { sock.destroy(); return; }
  wss.handleUpgrade(req, sock, head, (ws) => wss.emit('connection', ws, req));
});
pubs.on('connection', (ws) => {
  ws.on('message', (data) => {
    for (const c of subs.clients) if (c.readyState === 1) c.send(data, { binary: false });
  });
});
server.listen(port, '127.0.0.1', () => console.log(`wsfan listening on ${port}`));
