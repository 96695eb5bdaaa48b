// A faithful-enough Block Kit renderer for the playground: header, section (text, fields), context, divider,
// actions with buttons and confirm dialogs. Slack mrkdwn: *bold*, _italic_, `code`, entities &amp; &lt; &gt;.
(function () {
  function decode(s) {
    return String(s).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  }
  function html(s) {
    return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  }
  // Slack links are <url|label> written with real angle brackets; an escaped &lt;...&gt; is literal text, so a
  // display name typed as "<https://evil|Approve>" stays text here as it does in Slack.
  function mrkdwn(t) {
    return String(t)
      .split(/<(https?:\/\/[^|>\s]+)\|([^>]*)>/)
      .map((part, i) =>
        i % 3 === 0
          ? format(part)
          : i % 3 === 1
            ? `<a href="${html(decode(part))}" target="_blank" rel="noopener noreferrer">`
            : `${format(part)}</a>`,
      )
      .join('');
  }
  function format(t) {
    let out = html(decode(t));
    out = out.replace(/`([^`\n]+)`/g, '<code>$1</code>');
    out = out.replace(/(^|[\s(])\*([^*\n]+)\*(?=[\s).,:;!?]|$)/g, '$1<b>$2</b>');
    out = out.replace(/(^|[\s(])_([^_\n]+)_(?=[\s).,:;!?]|$)/g, '$1<i>$2</i>');
    out = out.replace(
      /:(white_check_mark|warning|no_entry|x|information_source|hourglass_flowing_sand|arrow_forward|arrows_counterclockwise|no_entry_sign|alarm_clock|fast_forward):/g,
      (_m, n) =>
        ({
          white_check_mark: '✅',
          warning: '⚠️',
          no_entry: '⛔',
          x: '❌',
          information_source: 'ℹ️',
          hourglass_flowing_sand: '⏳',
          arrow_forward: '▶️',
          arrows_counterclockwise: '🔄',
          no_entry_sign: '🚫',
          alarm_clock: '⏰',
          fast_forward: '⏩',
        })[n],
    );
    return out.replace(/\n/g, '<br>');
  }
  function textOf(obj) {
    if (!obj) return '';
    return obj.type === 'mrkdwn' ? mrkdwn(obj.text) : html(obj.text);
  }
  /** A plain message's text as Slack shows it: the three entities decoded (the caller sets it as textContent). */
  window.slackText = decode;
  /**
   * Render blocks into a DOM element; onAction(button, block, state) is called for button clicks after any confirm,
   * `state` being what Slack sends with a block action: every checkboxes element's selected options, by block.
   */
  window.renderBlockKit = function (blocks, onAction, confirmFn) {
    const root = document.createElement('div');
    root.className = 'bk-block';
    const state = {};
    for (const b of blocks || []) {
      let el;
      if (b.type === 'header') {
        el = document.createElement('div');
        el.className = 'bk-header';
        el.innerHTML = textOf(b.text);
      } else if (b.type === 'section') {
        el = document.createElement('div');
        el.className = 'bk-section';
        if (b.text) el.innerHTML = textOf(b.text);
        if (b.fields) {
          const f = document.createElement('div');
          f.className = 'bk-fields';
          f.innerHTML = b.fields.map((x) => `<div>${textOf(x)}</div>`).join('');
          el.appendChild(f);
        }
      } else if (b.type === 'context') {
        el = document.createElement('div');
        el.className = 'bk-context';
        el.innerHTML = (b.elements || []).map(textOf).join(' ');
      } else if (b.type === 'divider') {
        el = document.createElement('hr');
        el.className = 'bk-divider';
      } else if (b.type === 'actions') {
        el = document.createElement('div');
        el.className = 'bk-actions';
        for (const e of b.elements || []) {
          if (e.type === 'checkboxes') {
            const chosen = new Set((e.initial_options || []).map((o) => o.value));
            const save = () =>
              ((state[b.block_id] ??= {})[e.action_id] = {
                type: 'checkboxes',
                selected_options: e.options.filter((o) => chosen.has(o.value)),
              });
            save();
            for (const o of e.options || []) {
              const label = document.createElement('label');
              label.className = 'bk-checkbox';
              const box = document.createElement('input');
              box.type = 'checkbox';
              box.checked = chosen.has(o.value);
              box.onchange = () => (box.checked ? chosen.add(o.value) : chosen.delete(o.value), save());
              label.append(box, ' ');
              label.insertAdjacentHTML('beforeend', `${textOf(o.text)}${o.description ? ` <small>${textOf(o.description)}</small>` : ''}`);
              el.appendChild(label);
            }
            continue;
          }
          if (e.type !== 'button') continue;
          const btn = document.createElement('button');
          btn.className = 'bk-button' + (e.style ? ' ' + e.style : '');
          btn.textContent = e.text.text;
          btn.dataset.actionId = e.action_id;
          btn.onclick = async () => {
            if (e.confirm && !(await confirmFn(e.confirm.title.text, decode(e.confirm.text.text), e.confirm.confirm.text))) return;
            onAction(e, b, state);
          };
          el.appendChild(btn);
        }
      } else continue;
      root.appendChild(el);
    }
    return root;
  };
  window.slackMrkdwn = mrkdwn;
})();
