// Asks one question through botframework-directlinejs, as a Node app would use it, and prints JSON lines:
// {"websocket": url} when the client opens the stream, {"status": n} on connection changes, then
// {"reply": text, "entities": [...], "webSocket": bool, "round": n, "duplicates": n}. Usage:
// node ask.js DOMAIN TOKEN QUESTION [ws|poll|reconnect]; reconnect: after the first answer the client's socket is
// dropped, a second question is posted, and its answer must come over the stream directlinejs reopens.
'use strict';
const WebSocketImpl = require('ws');

// The polyfills directlinejs's README asks for in Node; the WebSocket one also reports the URL it is given.
global.XMLHttpRequest = require('xhr2');
const sockets = [];
global.WebSocket = class extends WebSocketImpl {
  constructor(url, ...rest) {
    super(url, ...rest);
    sockets.push(this);
    console.log(JSON.stringify({ websocket: String(url).replace(/([?&]t=)[^&]+/, '$1…') }));
  }
};

const { DirectLine } = require('botframework-directlinejs');
const [domain, token, question, mode] = process.argv.slice(2);
const options = mode === 'poll' ? { token, domain, webSocket: false } : { token, domain };
const directLine = new DirectLine(options);
const bounded = setTimeout(() => {
  console.log(JSON.stringify({ error: 'no reply within 90 s' }));
  process.exit(2);
}, 90000);

let sentId;
let round = 1;
const seen = new Set();
let duplicates = 0;
const botMessages = [];

function post() {
  directLine.postActivity({ type: 'message', from: { id: 'reader-node', name: 'Reader' }, text: question }).subscribe(
    id => { sentId = id; finishIfAnswered(); },
    error => { console.log(JSON.stringify({ error: String(error && error.message || error) })); process.exit(3); });
}

function finishIfAnswered() {
  const reply = botMessages.find(a => sentId && a.replyToId === sentId && a.text);
  if (!reply) return;
  console.log(JSON.stringify({ reply: reply.text, entities: reply.entities || [], webSocket: directLine.webSocket, round, duplicates }));
  if (mode === 'reconnect' && round === 1) {
    round = 2;
    sentId = undefined;
    sockets[sockets.length - 1].terminate();
    post();
    return;
  }

  clearTimeout(bounded);
  directLine.end();
  process.exit(0);
}

directLine.connectionStatus$.subscribe(status => console.log(JSON.stringify({ status })));
directLine.activity$.subscribe(activity => {
  if (seen.has(activity.id)) duplicates++;
  seen.add(activity.id);
  if (activity.type === 'message' && activity.from && activity.from.role === 'bot') {
    botMessages.push(activity);
    finishIfAnswered();
  }
});
post();
