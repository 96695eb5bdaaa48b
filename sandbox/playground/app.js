// The playground: acts as Teams or Slack users of the sandbox tenant against the real handlers of the local stack.
(function () {
  const $ = (id) => document.getElementById(id);
  const TEAMS_CHANNEL = '19:playground@thread.tacv2';
  const SLACK_CHANNEL = 'C0PLAYGROUND';
  const TENANT = '0c0a1e57-0000-4000-8000-00000000c0de';
  const BOT = { id: '28:contain-bot', name: 'Contain' };
  let config = { people: [] };
  const humans = []; // messages typed here (Teams does not echo them back through the connector)
  const views = new Map(); // activityId -> { card, person, at } : the clicker's own view from an invoke response
  const acks = []; // Slack ephemeral acks from slash commands
  let lastRender = '';

  const person = () => config.people.find((p) => p.key === $('person').value) || config.people[0];
  const platform = () => $('platform').value;
  const uuid = () => (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random());
  const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

  async function json(url, init) {
    const r = await fetch(url, init);
    const t = await r.text();
    return t ? JSON.parse(t) : undefined;
  }

  // ---- Teams -------------------------------------------------------------------------------------------------
  function teamsActivity(extra) {
    const p = person();
    return Object.assign(
      {
        id: uuid(),
        channelId: 'msteams',
        serviceUrl: location.origin + '/sandbox/connector/',
        timestamp: new Date().toISOString(),
        from: { id: p.teamsId, name: p.name, aadObjectId: p.aadObjectId },
        recipient: BOT,
        conversation: { id: TEAMS_CHANNEL, conversationType: 'channel', isGroup: true, tenantId: TENANT },
        channelData: { tenant: { id: TENANT }, channel: { id: TEAMS_CHANNEL } },
      },
      extra,
    );
  }
  async function sendTeams(text) {
    const a = teamsActivity({
      type: 'message',
      text: '<at>Contain</at> ' + text,
      entities: [{ type: 'mention', text: '<at>Contain</at>', mentioned: BOT }],
    });
    humans.push({ id: a.id, who: person().name, text, at: Date.now(), platform: 'teams' });
    render(true);
    await fetch('/api/messages', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(a) });
  }
  async function teamsInvoke(record, verb, data) {
    const a = teamsActivity({
      type: 'invoke',
      name: 'adaptiveCard/action',
      replyToId: record.activityId,
      value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
    });
    a.conversation.id = record.conversationId;
    const res = await json('/api/messages', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(a) });
    if (res && res.type === 'application/vnd.microsoft.card.adaptive')
      views.set(record.activityId, { card: res.value, person: person().key, at: Date.now() });
    render(true);
  }
  // "Show all": an Action.Submit asking Teams for a dialog (task/fetch); the bot's answer is the dialog's card.
  async function teamsTaskFetch(record, data) {
    const a = teamsActivity({
      type: 'invoke',
      name: 'task/fetch',
      replyToId: record.activityId,
      value: { data, context: { theme: 'default' } },
    });
    a.conversation.id = record.conversationId;
    const res = await json('/api/messages', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(a) });
    window.showTeamsDialog(res && res.task, (card) => adaptive(card, record, true));
    render(true);
  }
  // A button inside the dialog: task/submit, answered with what the dialog shows next.
  async function teamsTaskSubmit(record, data) {
    const a = teamsActivity({ type: 'invoke', name: 'task/submit', value: { data, context: { theme: 'default' } } });
    a.conversation.id = record.conversationId;
    const res = await json('/api/messages', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(a) });
    window.showTeamsDialog(res && res.task, (card) => adaptive(card, record, true));
    render(true);
  }
  function adaptive(card, record, inDialog) {
    const ac = new AdaptiveCards.AdaptiveCard();
    ac.hostConfig = new AdaptiveCards.HostConfig(window.TEAMS_HOST_CONFIG);
    ac.onExecuteAction = (action) => {
      // Full-result links: open them as Teams would, in the browser.
      if (action.getJsonTypeName() === 'Action.OpenUrl') return void window.open(action.url, '_blank', 'noopener');
      const data = action.data || {};
      if (data.msteams && data.msteams.type === 'task/fetch') return void teamsTaskFetch(record, data);
      if (inDialog) return void teamsTaskSubmit(record, data);
      const verb = action.verb || data.verb;
      teamsInvoke(record, verb, data);
    };
    ac.parse(card);
    const el = ac.render();
    el.classList.add('card');
    return el;
  }

  // ---- Slack -------------------------------------------------------------------------------------------------
  const signAndPost = (body, contentType) => window.postSignedToSlack(config.slackSigningSecret, body, contentType);
  async function sendSlack(text) {
    const p = person();
    const cmd = text.replace(/^\/contain\s*/i, ''); // the slash command itself; the verb stays (contain alice)
    humans.push({ id: uuid(), who: p.name, text: '/contain ' + cmd, at: Date.now(), platform: 'slack' });
    render(true);
    const form = new URLSearchParams({
      team_id: 'T0CONTOSO',
      team_domain: 'contoso',
      channel_id: SLACK_CHANNEL,
      channel_name: 'soc-incidents',
      user_id: p.slackId,
      user_name: p.key,
      command: '/contain',
      text: cmd,
      api_app_id: 'A0CONTAIN',
      response_url: location.origin + '/sandbox/slack/response',
      trigger_id: uuid(),
    });
    const ack = await signAndPost(form.toString(), 'application/x-www-form-urlencoded');
    if (ack && ack.text) acks.push({ user: p.slackId, text: ack.text, at: Date.now() });
    render(true);
  }
  let triggers = 0;
  async function slackAction(button, message, modal, state) {
    const p = person();
    // As the sandbox's fake Slack reads them: the time of the click first (a modal must open within 3 s of it).
    const trigger = `${Date.now()}.${++triggers}.playground`;
    if (button.action_id === 'contain.show-step')
      window.showSlackModal(trigger, (blocks, modal) =>
        window.renderBlockKit(blocks, (b) => slackAction(b, undefined, modal), confirmDialog),
      );
    // A button inside a modal arrives with the view (and its private_metadata) instead of a channel and message.
    const where = modal
      ? {
          container: { type: 'view', view_id: modal.id },
          view: { id: modal.id, type: 'modal', private_metadata: modal.view.private_metadata },
        }
      : {
          container: { type: 'message', message_ts: message.ts, channel_id: SLACK_CHANNEL },
          channel: { id: SLACK_CHANNEL, name: 'soc-incidents' },
          message: { type: 'message', ts: message.ts },
        };
    const payload = {
      type: 'block_actions',
      user: { id: p.slackId, username: p.key, name: p.key, team_id: 'T0CONTOSO' },
      api_app_id: 'A0CONTAIN',
      trigger_id: trigger,
      team: { id: 'T0CONTOSO', domain: 'contoso' },
      ...where,
      actions: [{ action_id: button.action_id, value: button.value, type: 'button', action_ts: String(Date.now() / 1000) }],
      ...(state && Object.keys(state).length ? { state: { values: state } } : {}),
    };
    await signAndPost(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), 'application/x-www-form-urlencoded');
  }
  const confirmDialog = window.confirmDialog;

  // ---- Rendering ---------------------------------------------------------------------------------------------
  function bubble(who, bot, inner, small) {
    const m = document.createElement('div');
    m.className = 'msg';
    m.innerHTML = `<div class="avatar ${bot ? 'bot' : ''}">${esc(who[0])}</div><div><div class="who">${esc(who)}<small>${esc(small || '')}</small></div></div>`;
    m.lastChild.appendChild(inner);
    return m;
  }
  function textEl(t, cls) {
    const d = document.createElement('div');
    d.className = cls || 'text';
    d.textContent = t;
    return d;
  }
  async function render(force) {
    const thread = $('thread');
    if (platform() === 'teams') {
      const records = await json('/sandbox/connector/activities');
      const sig = JSON.stringify([records.length, records.at(-1)?.time, humans.length, [...views.values()].map((v) => v.at), person().key]);
      if (!force && sig === lastRender) return;
      lastRender = sig;
      const latest = new Map();
      const order = [];
      for (const r of records) {
        if (r.op === 'delete' || r.activity.type === 'typing') continue;
        if (!latest.has(r.activityId)) order.push(r.activityId);
        latest.set(r.activityId, r);
      }
      thread.innerHTML = '';
      const items = humans
        .filter((h) => h.platform === 'teams')
        .map((h) => ({ at: h.at, el: bubble(h.who, false, textEl(h.text), new Date(h.at).toLocaleTimeString()) }));
      order.forEach((id, i) => {
        const r = latest.get(id);
        const first = records.find((x) => x.activityId === id);
        const mine = views.get(id);
        const updatedAfter = records.some((x) => x.activityId === id && x.op === 'update' && Date.parse(x.time) > (mine?.at ?? 0));
        const att = (r.activity.attachments || [])[0];
        let inner;
        if (mine && mine.person === person().key && !updatedAfter) inner = adaptive(mine.card, r);
        else if (att && att.contentType === 'application/vnd.microsoft.card.adaptive') inner = adaptive(att.content, r);
        else inner = textEl(r.activity.text || '');
        const el = bubble('Contain', true, inner, new Date(first.time).toLocaleTimeString());
        el.classList.add('reply');
        items.push({ at: Date.parse(first.time) + i / 1000, el });
      });
      items.sort((a, b) => a.at - b.at).forEach((x) => thread.appendChild(x.el));
    } else {
      const messages = await json('/sandbox/slack/messages');
      const sig = JSON.stringify([
        messages.map((m) => [m.ts, JSON.stringify(m.blocks || m.text).length]),
        humans.length,
        acks.length,
        person().key,
      ]);
      if (!force && sig === lastRender) return;
      lastRender = sig;
      thread.innerHTML = '';
      const me = person().slackId;
      const items = humans
        .filter((h) => h.platform === 'slack')
        .map((h) => ({ at: h.at, el: bubble(h.who, false, textEl(h.text), new Date(h.at).toLocaleTimeString()) }));
      for (const a of acks.filter((x) => x.user === me))
        items.push({ at: a.at + 1, el: bubble('Contain', true, textEl(window.slackText(a.text), 'ephemeral')) });
      for (const m of messages.filter((x) => x.channel === SLACK_CHANNEL && (!x.ephemeral || x.user === me))) {
        const inner = m.blocks
          ? window.renderBlockKit(m.blocks, (button, _block, state) => slackAction(button, m, undefined, state), confirmDialog)
          : textEl(window.slackText(m.text || ''), m.ephemeral ? 'ephemeral' : 'text');
        const el = bubble('Contain', true, inner, new Date(Number(m.ts.split('.')[0]) * 1000).toLocaleTimeString());
        if (m.thread_ts) el.classList.add('reply');
        items.push({ at: Number(m.ts.split('.')[0]) * 1000 + Number(m.ts.split('.')[1]) / 1000, el });
      }
      items.sort((a, b) => a.at - b.at).forEach((x) => thread.appendChild(x.el));
    }
    thread.scrollTop = thread.scrollHeight;
  }
  const renderState = window.renderSandboxState;
  const setFaults = window.setSandboxFaults;

  async function init() {
    config = await json('/sandbox/playground/config');
    $('person').innerHTML = config.people.map((p) => `<option value="${p.key}">${esc(p.name)} (${esc(p.role)})</option>`).join('');
    const onPlatform = () => {
      document.body.classList.toggle('slack', platform() === 'slack');
      $('channel-title').textContent = platform() === 'slack' ? '# soc-incidents (Slack)' : 'Security Team › soc-incidents (Teams)';
      $('hint').textContent =
        platform() === 'slack'
          ? 'Slack: /contain <user>, /contain status, /contain report alice … Requests are signed with the sandbox signing secret.'
          : 'Teams: the text is sent as an @Contain mention in the channel.';
      render(true);
    };
    $('platform').onchange = onPlatform;
    $('person').onchange = () => render(true);
    $('composer').onsubmit = (e) => {
      e.preventDefault();
      const t = $('command').value.trim();
      if (!t) return;
      $('command').value = '';
      (platform() === 'slack' ? sendSlack(t) : sendTeams(t)).catch((err) => alert(err));
    };
    $('big').onclick = async () => {
      const alice = (await json('/sandbox/state')).users.find((u) => u.userPrincipalName.startsWith('alice.aoki'));
      await fetch('/sandbox/scenario', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: alice.id, extra: { inboxRules: 10, methods: 10, devices: 10, apps: 10, flows: 10 } }),
      });
      renderState();
    };
    $('latency').onchange = setFaults;
    $('throttle').onchange = setFaults;
    $('reset').onclick = async () => {
      await fetch('/sandbox/reset', { method: 'POST' });
      humans.length = 0;
      acks.length = 0;
      views.clear();
      $('latency').checked = false;
      $('throttle').checked = false;
      render(true);
      renderState();
    };
    onPlatform();
    renderState();
    setInterval(() => render(false).catch(() => undefined), 700);
    setInterval(() => renderState().catch(() => undefined), 1500);
  }
  init();
})();
