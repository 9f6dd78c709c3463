// Preloaded with `node --require ./loopback-only.cjs` to keep a tool on this machine, in both directions:
// - listening: a listen call that names no host gets 127.0.0.1 (the Microsoft 365 Agents Playground 0.2.28 calls
//   server.listen(port), every interface, and has no option to choose); calls naming a host, a path or a handle stay;
// - connecting: a TCP connection to any address but loopback fails at once, and names other than localhost are not
//   looked up (its telemetry library probes the cloud metadata address 169.254.169.254 even with telemetry off).
'use strict';

const dns = require('dns');
const net = require('net');

const LOOPBACK = '127.0.0.1';

function isPort(value) {
  return typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value));
}

function isLoopbackAddress(address) {
  if (net.isIPv4(address)) {
    return address.startsWith('127.');
  }
  const lower = address.toLowerCase();
  return lower === '::1' || lower.startsWith('::ffff:127.');
}

function isLoopbackName(host) {
  const lower = String(host).toLowerCase().replace(/\.$/, '');
  return lower === 'localhost' || lower.endsWith('.localhost') || (net.isIP(lower) !== 0 && isLoopbackAddress(lower));
}

function refusal(host) {
  process.stderr.write(`loopback-only.cjs: refused ${host}\n`);
  const error = new Error(`loopback-only.cjs: ${host} is not on this machine; only loopback is allowed`);
  error.code = 'ECONNREFUSED';
  return error;
}

const listen = net.Server.prototype.listen;
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

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  const normalized = Array.isArray(args[0]) ? args[0] : net._normalizeArgs(args);
  const options = normalized[0] || {};
  if (options.path === undefined) {
    const host = options.host || 'localhost';
    if (!isLoopbackName(host)) {
      process.nextTick(() => this.destroy(refusal(host)));
      return this;
    }
  }
  return connect.apply(this, args);
};

const lookup = dns.lookup;
dns.lookup = function (hostname, options, callback) {
  if (!isLoopbackName(hostname)) {
    const done = typeof options === 'function' ? options : callback;
    const error = refusal(hostname);
    error.code = 'ENOTFOUND';
    process.nextTick(() => done(error));
    return {};
  }
  return lookup.apply(this, arguments);
};
const promisesLookup = dns.promises.lookup;
dns.promises.lookup = function (hostname, ...rest) {
  if (!isLoopbackName(hostname)) {
    const error = refusal(hostname);
    error.code = 'ENOTFOUND';
    return Promise.reject(error);
  }
  return promisesLookup.call(this, hostname, ...rest);
};
