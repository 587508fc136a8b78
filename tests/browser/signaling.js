#!/usr/bin/env node
// Minimal WebRTC signaling server for the rtclab browser captures.
//
//   node signaling.js [--host 127.0.0.1] [--http-port 18080] [--ws-port 18088]
//                     [--wss-port 18443 --cert cert.pem --key key.pem]
//
// * --http-port serves peer.html (plain HTTP; 127.0.0.1 is a secure context,
//   so getUserMedia works).  It is a separate port so the page load does not
//   end up in the capture, whose filter only keeps the signaling ports.
// * --ws-port is the clear-text ws:// signaling endpoint, --wss-port the
//   TLS (wss://) one (self-signed cert, Chromium runs with
//   --ignore-certificate-errors).
//
// Protocol: JSON text frames.  A client first sends
//   {"type":"join","room":"<name>","role":"offerer"|"answerer"}
// When the second peer of a room has joined the server sends
//   {"type":"ready","room":"<name>","peers":2}
// to both.  Every other message ({"type":"offer"|"answer"|"candidate"|"bye",...})
// is relayed unchanged (same bytes) to the other peer of the room.
'use strict';

const fs = require('fs');
const http = require('http');
const https = require('https');
const path = require('path');
const { WebSocketServer } = require('ws');

function arg(name, dflt) {
  const i = process.argv.indexOf('--' + name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
}

const host = arg('host', '127.0.0.1');
const httpPort = Number(arg('http-port', '18080'));
const wsPort = Number(arg('ws-port', '18088'));
const wssPort = Number(arg('wss-port', '0'));
const certFile = arg('cert', '');
const keyFile = arg('key', '');

const pageFile = path.join(__dirname, 'peer.html');
const rooms = new Map(); // room name -> Set of sockets

function log(...a) {
  console.log(new Date().toISOString(), ...a);
}

function serveHttp(req, res) {
  const url = req.url.split('?')[0];
  if (url === '/' || url === '/peer.html') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(fs.readFileSync(pageFile));
  } else if (url === '/health') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok\n');
  } else {
    res.writeHead(404);
    res.end();
  }
}

function attachSignaling(server, label) {
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws, req) => {
    ws.room = null;
    ws.role = null;
    log(label, 'connection from', req.socket.remoteAddress + ':' + req.socket.remotePort);
    ws.on('message', (data, isBinary) => {
      let msg;
      try {
        msg = JSON.parse(data.toString('utf8'));
      } catch (e) {
        log(label, 'non-JSON message ignored');
        return;
      }
      if (msg.type === 'join') {
        const name = String(msg.room || 'default');
        let set = rooms.get(name);
        if (!set) rooms.set(name, (set = new Set()));
        if (set.size >= 2) {
          ws.send(JSON.stringify({ type: 'error', reason: 'room full' }));
          return;
        }
        ws.room = name;
        ws.role = msg.role || null;
        set.add(ws);
        log(label, 'join', name, ws.role, 'peers', set.size);
        if (set.size === 2) {
          for (const peer of set) peer.send(JSON.stringify({ type: 'ready', room: name, peers: 2 }));
        }
        return;
      }
      const set = ws.room && rooms.get(ws.room);
      if (!set) return;
      log(label, 'relay', ws.room, ws.role, msg.type, msg.type === 'candidate' && msg.candidate === null ? '(end-of-candidates)' : '');
      for (const peer of set) {
        if (peer !== ws && peer.readyState === peer.OPEN) peer.send(data, { binary: isBinary });
      }
    });
    ws.on('close', () => {
      const set = ws.room && rooms.get(ws.room);
      if (set) {
        set.delete(ws);
        if (set.size === 0) rooms.delete(ws.room);
      }
      log(label, 'close', ws.room, ws.role);
    });
  });
}

const pageServer = http.createServer(serveHttp);
pageServer.listen(httpPort, host, () => log('page server on http://' + host + ':' + httpPort + '/'));

const wsServer = http.createServer((req, res) => { res.writeHead(426); res.end(); });
attachSignaling(wsServer, 'ws');
wsServer.listen(wsPort, host, () => log('signaling on ws://' + host + ':' + wsPort + '/'));

if (wssPort) {
  const tlsServer = https.createServer(
    { cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) },
    (req, res) => { res.writeHead(426); res.end(); });
  attachSignaling(tlsServer, 'wss');
  tlsServer.listen(wssPort, host, () => log('signaling on wss://' + host + ':' + wssPort + '/'));
}

function shutdown() {
  log('shutting down');
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
