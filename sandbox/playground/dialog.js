// Dialogs over the channel, as Teams and Slack show them: a Teams task module (the card the bot answered task/fetch
// with) and a Slack modal (the view opened with views.open at the click, then filled in by the worker with
// views.update). The playground's stand-in for both is one <dialog>.
(function () {
  const $ = (id) => document.getElementById(id);
  let polling;

  function show(title, content) {
    $('dialog-title').textContent = title;
    const body = $('dialog-body');
    body.innerHTML = '';
    body.appendChild(content);
    const d = $('dialog');
    if (!d.open) d.showModal();
  }

  function close() {
    clearInterval(polling);
    polling = undefined;
  }

  /** A Teams dialog: the task/fetch answer's card, rendered by the same Adaptive Cards renderer as the channel. */
  window.showTeamsDialog = function (task, renderCard) {
    close();
    if (!task || task.type !== 'continue') return;
    show(task.value.title || 'Contain', renderCard(task.value.card.content));
  };

  /**
   * A Slack modal: find the view the click opened (by its trigger id) and keep showing its latest blocks until the
   * person closes it, as Slack does when the app updates an open modal.
   */
  window.showSlackModal = function (trigger, renderBlocks) {
    close();
    let shown = '';
    const poll = async () => {
      const views = await (await fetch('/sandbox/slack/views')).json();
      const mine = views.find((v) => v.trigger === trigger);
      if (!mine) return;
      const sig = mine.hash;
      if (sig === shown) return;
      shown = sig;
      show(mine.view.title.text, renderBlocks(mine.view.blocks, mine));
    };
    polling = setInterval(() => poll().catch(() => undefined), 300);
    poll().catch(() => undefined);
  };

  $('dialog').addEventListener('close', close);

  // The confirmation Block Kit buttons ask for before they act.
  window.confirmDialog = function (title, text, ok) {
    return new Promise((resolve) => {
      $('confirm-title').textContent = title;
      $('confirm-text').textContent = text;
      $('confirm-ok').textContent = ok;
      const d = $('confirm');
      d.onclose = () => resolve(d.returnValue === 'ok');
      d.showModal();
    });
  };
})();
