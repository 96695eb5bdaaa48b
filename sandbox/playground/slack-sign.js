// Requests to the local stack's Slack endpoint, signed as Slack signs them (v0 HMAC-SHA256 of the timestamp and body)
// with the sandbox signing secret the playground config hands out.
(function () {
  async function json(url, init) {
    const r = await fetch(url, init);
    const t = await r.text();
    return t ? JSON.parse(t) : undefined;
  }

  window.postSignedToSlack = async function (secret, body, contentType) {
    if (!secret)
      throw new Error(
        'A real SLACK_SIGNING_SECRET is configured; the playground only signs with the sandbox secret. Unset it to use the Slack view.',
      );
    const ts = Math.floor(Date.now() / 1000);
    const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`v0:${ts}:${body}`));
    const sig = 'v0=' + [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, '0')).join('');
    return json('/api/slack/events', {
      method: 'POST',
      headers: { 'content-type': contentType, 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sig },
      body,
    });
  };
})();
