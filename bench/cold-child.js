// One cold start: a fresh Node process loads one Functions entry point from dist/ and handles one request.
// Prints JSON: { ms (since process start), botbuilder, bolt (whether each was loaded) }.
'use strict';
const { performance } = require('node:perf_hooks');
const { createHmac, randomUUID } = require('node:crypto');
const path = require('node:path');
const route = process.argv[2];
const dist = path.join(__dirname, '..', 'dist');
const loaded = (name) => Object.keys(require.cache).some((k) => k.includes(`${path.sep}node_modules${path.sep}${name}${path.sep}`));

async function main() {
  console.warn = () => undefined; // the @azure/functions test-mode banner
  const { HttpRequest, InvocationContext } = require('@azure/functions');
  const ctx = new InvocationContext({ invocationId: randomUUID(), functionName: route, logHandler: () => undefined });
  let res;
  if (route === 'bare') {
    const { app } = require('@azure/functions');
    const handler = async () => ({ status: 200, jsonBody: { ok: true } });
    app.http('bare', { methods: ['POST'], handler });
    res = await handler(new HttpRequest({ method: 'POST', url: 'http://127.0.0.1/api/bare', body: { string: '{}' } }), ctx);
  } else if (route === 'slack') {
    const body = JSON.stringify({ type: 'url_verification', challenge: 'c', token: 't' });
    const ts = Math.floor(Date.now() / 1000);
    const sig = 'v0=' + createHmac('sha256', process.env.SLACK_SIGNING_SECRET).update(`v0:${ts}:${body}`).digest('hex');
    const { slackEvents } = require(path.join(dist, 'functions/slack-events.js'));
    res = await slackEvents(new HttpRequest({ method: 'POST', url: 'http://127.0.0.1/api/slack/events', headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sig }, body: { string: body } }), ctx);
  } else if (route === 'teams') {
    const { teamsMessages } = require(path.join(dist, 'functions/teams-messages.js'));
    const activity = { type: 'conversationUpdate', id: randomUUID(), channelId: 'msteams', serviceUrl: 'http://127.0.0.1:9/', from: { id: '29:x' }, recipient: { id: '28:bot' }, conversation: { id: '19:c@thread.tacv2' } };
    res = await teamsMessages(new HttpRequest({ method: 'POST', url: 'http://127.0.0.1/api/messages', headers: { 'content-type': 'application/json' }, body: { string: JSON.stringify(activity) } }), ctx);
  } else if (route === 'worker') {
    const { worker } = require(path.join(dist, 'functions/worker.js'));
    await worker({ type: 'execute', incidentId: 'INC-20000101-0001', actionIds: ['a01'], key: 'cold' }, ctx);
    res = { status: 200 };
  }
  const ms = performance.now();
  process.stdout.write(JSON.stringify({ route, ms, status: res && res.status, botbuilder: loaded('botbuilder'), bolt: loaded('@slack/bolt'.replace('/', path.sep)) }) + '\n');
}
main().catch((err) => {
  process.stderr.write(String(err && err.stack || err) + '\n');
  process.exit(1);
});
