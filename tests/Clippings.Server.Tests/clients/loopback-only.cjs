// Preloaded with `node --require ./loopback-only.cjs` before a tool that listens on every interface and has no
// option to choose (the Microsoft 365 Agents Playground 0.2.28 calls server.listen(port) with no host): a listen
// call that names no host gets 127.0.0.1, so the tool is reachable from this machine only. Calls that name a host,
// a Unix socket path or a handle are left as they are.
'use strict';

const net = require('net');

const LOOPBACK = '127.0.0.1';
const listen = net.Server.prototype.listen;

function isPort(value) {
  return typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value));
}

net.Server.prototype.listen = function (...args) {
  const [first] = args;
  if (isPort(first) || first === undefined || typeof first === 'function') {
    // listen(), listen(callback), listen(port[, host][, backlog][, callback])
    if (!isPort(first)) {
      args.unshift(0);
    }
    if (typeof args[1] !== 'string') {
      args.splice(1, 0, LOOPBACK);
    }
  } else if (first && typeof first === 'object' && first.path === undefined && first.fd === undefined && first.handle === undefined && !first._handle) {
    // listen({ port, host, ... })
    if (!first.host) {
      args[0] = Object.assign({}, first, { host: LOOPBACK });
    }
  }
  return listen.apply(this, args);
};
