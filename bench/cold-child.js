// One cold start: a fresh Node process loads the Function App the way the Functions worker does (every entry file of
// one build, through sandbox/functions-host.ts standing in for the worker) and handles one request on one route.
// argv: <build: bare|unbundled|bundled> <route: bare|slack|teams|worker> <dir of entry files>
// Prints JSON: { ms (since process start), status, botbuilder, bolt (whether their code was loaded) }.
'use strict';
const { performance } = require('node:perf_hooks');
const { createHmac, randomUUID } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const [build, route, dir] = process.argv.slice(2);

/** Whether a package was loaded through require (unbundled builds; a bundle has no node_modules to load from). */
const required = (name) =>
  Object.keys(require.cache).some((k) => k.includes(`${path.sep}node_modules${path.sep}${name.split('/').join(path.sep)}${path.sep}`));

async function main() {
  console.warn = () => undefined; // the @azure/functions banners
  const { loadFunctionsApp } = require(path.join(__dirname, '..', 'dist', 'sandbox', 'functions-host.js'));
  const files =
    build === 'bare'
      ? [path.join(__dirname, 'cold-bare.js')]
      : fs
          .readdirSync(dir)
          .filter((f) => /\.m?js$/.test(f))
          .map((f) => path.join(dir, f));
  const host = await loadFunctionsApp(files);
  let status;
  if (route === 'bare') {
    status = (
      await host.http('bare', {
        method: 'POST',
        url: 'http://127.0.0.1/api/bare',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      })
    ).status;
  } else if (route === 'slack') {
    const body = JSON.stringify({ type: 'url_verification', challenge: 'c', token: 't' });
    const ts = Math.floor(Date.now() / 1000);
    const sig = 'v0=' + createHmac('sha256', process.env.SLACK_SIGNING_SECRET).update(`v0:${ts}:${body}`).digest('hex');
    status = (
      await host.http('slack-events', {
        method: 'POST',
        url: 'http://127.0.0.1/api/slack/events',
        headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sig },
        body,
      })
    ).status;
  } else if (route === 'teams') {
    const activity = {
      type: 'conversationUpdate',
      id: randomUUID(),
      channelId: 'msteams',
      serviceUrl: 'http://127.0.0.1:9/',
      from: { id: '29:x' },
      recipient: { id: '28:bot' },
      conversation: { id: '19:c@thread.tacv2' },
    };
    status = (
      await host.http('teams-messages', {
        method: 'POST',
        url: 'http://127.0.0.1/api/messages',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(activity),
      })
    ).status;
  } else if (route === 'worker') {
    await host.queue('worker', JSON.stringify({ type: 'execute', incidentId: 'INC-20000101-0001', actionIds: ['a01'], key: 'cold' }));
    status = 200;
  }
  const ms = performance.now();
  process.stdout.write(
    JSON.stringify({ build, route, ms, status, botbuilder: required('botbuilder'), bolt: required('@slack/bolt') }) + '\n',
  );
}
main().catch((err) => {
  process.stderr.write(String((err && err.stack) || err) + '\n');
  process.exit(1);
});
