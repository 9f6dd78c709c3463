// Asks one question through botframework-directlinejs, as a Node app would use it, and prints JSON lines:
// {"websocket": url} when the client opens the stream, {"status": n} on connection changes, then
// {"reply": text, "entities": [...], "webSocket": bool}. Usage: node ask.js DOMAIN TOKEN QUESTION [ws|poll]
'use strict';
const WebSocketImpl = require('ws');

// The polyfills directlinejs's README asks for in Node; the WebSocket one also reports the URL it is given.
global.XMLHttpRequest = require('xhr2');
global.WebSocket = class extends WebSocketImpl {
  constructor(url, ...rest) {
    super(url, ...rest);
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
const botMessages = [];
function finishIfAnswered() {
  const reply = botMessages.find(a => sentId && a.replyToId === sentId && a.text);
  if (!reply) return;
  console.log(JSON.stringify({ reply: reply.text, entities: reply.entities || [], webSocket: directLine.webSocket }));
  clearTimeout(bounded);
  directLine.end();
  process.exit(0);
}

directLine.connectionStatus$.subscribe(status => console.log(JSON.stringify({ status })));
directLine.activity$.subscribe(activity => {
  if (activity.type === 'message' && activity.from && activity.from.role === 'bot') {
    botMessages.push(activity);
    finishIfAnswered();
  }
});
directLine.postActivity({ type: 'message', from: { id: 'reader-node', name: 'Reader' }, text: question }).subscribe(
  id => { sentId = id; finishIfAnswered(); },
  error => { console.log(JSON.stringify({ error: String(error && error.message || error) })); process.exit(3); });
