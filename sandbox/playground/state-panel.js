// The playground's side panel: what Contain has changed in the sandbox tenant for Alice, the Graph round trips so
// far, and the fault toggles (latency, throttling) the sandbox injects.
(function () {
  const $ = (id) => document.getElementById(id);
  const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const json = async (url) => {
    const t = await (await fetch(url)).text();
    return t ? JSON.parse(t) : undefined;
  };

  async function renderState() {
    const s = await json('/sandbox/state');
    const alice = s.users.find((u) => u.userPrincipalName.startsWith('alice.aoki'));
    const recent = (iso) => Date.now() - Date.parse(iso) < 10 * 60_000;
    const row = (label, value, good) => `<tr><td>${esc(label)}</td><td class="${good ? 'ok' : 'bad'}">${esc(value)}</td></tr>`;
    const rows = [
      row(
        'Sessions',
        recent(alice.signInSessionsValidFromDateTime) ? 'revoked just now' : 'valid (attacker may hold a cookie)',
        recent(alice.signInSessionsValidFromDateTime),
      ),
      row('Password', recent(alice.lastPasswordChangeDateTime) ? 'reset just now' : 'unchanged', recent(alice.lastPasswordChangeDateTime)),
      ...s.methods
        .filter((m) => m.userId === alice.id && m.type !== 'password')
        .map((m) =>
          row(
            'Method: ' + (m.data.displayName || m.data.phoneNumber || m.type),
            'registered',
            !['iPhone 15', '+1 5550100199'].includes(m.data.displayName || m.data.phoneNumber),
          ),
        ),
      ...s.devices
        .filter((d) => d.ownerId === alice.id)
        .map((d) =>
          row(
            'Device: ' + d.data.displayName,
            d.data.accountEnabled ? 'enabled' : 'disabled',
            d.data.displayName === 'ALICE-LAPTOP' ? d.data.accountEnabled : !d.data.accountEnabled,
          ),
        ),
      ...s.rules
        .filter((r) => r.userId === alice.id)
        .map((r) =>
          row(
            'Rule: "' + r.data.displayName + '"',
            r.data.isEnabled ? 'enabled' : 'disabled',
            r.data.displayName === 'Newsletters' || !r.data.isEnabled,
          ),
        ),
      ...s.grants
        .filter((g) => g.data.principalId === alice.id)
        .map((g) =>
          row(
            'Consent: ' + (g.data.clientId.endsWith('ad01') ? '".." (attacker app)' : 'Microsoft Teams'),
            'granted',
            !g.data.clientId.endsWith('ad01'),
          ),
        ),
      ...s.servicePrincipals
        .filter((p) => p.data.displayName === '..')
        .map((p) => row('App ".." sign-in', p.data.accountEnabled ? 'on' : 'off', !p.data.accountEnabled)),
      ...s.applications.map((a) =>
        row(
          'App ".." credentials',
          `${a.data.passwordCredentials.length} secret(s), ${a.data.keyCredentials.length} certificate(s)`,
          !a.data.passwordCredentials.length && !a.data.keyCredentials.length,
        ),
      ),
      ...s.flows
        .filter((f) => f.data.properties.creator.objectId === alice.id)
        .map((f) =>
          row(
            'Flow: ' + f.data.properties.displayName,
            f.data.properties.state,
            f.data.properties.displayName !== 'Sync' || f.data.properties.state === 'Stopped',
          ),
        ),
    ];
    $('state').innerHTML = `<table>${rows.join('')}</table>`;
    const reqs = await json('/sandbox/requests');
    $('graph-stats').textContent =
      `${reqs.filter((r) => !r.batchId).length} Graph round trips so far (${reqs.filter((r) => r.status >= 400).length} answered with an error).`;
  }

  async function setFaults() {
    await fetch('/sandbox/faults', { method: 'DELETE' });
    const add = (f) =>
      fetch('/sandbox/faults', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(f) });
    if ($('latency').checked) await add({ route: '.*', latencyMs: 2000 });
    if ($('throttle').checked) await add({ route: '.*', status: 429, rate: 0.3, retryAfter: 1 });
  }

  window.renderSandboxState = renderState;
  window.setSandboxFaults = setFaults;
})();
