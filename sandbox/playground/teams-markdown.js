// Teams renders the CommonMark subset cards use; the renderer needs the host to supply it: bold, italic, and the
// backslash escapes Contain puts in front of text that came from outside.
(function () {
  const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  AdaptiveCards.AdaptiveCard.onProcessMarkdown = (text, result) => {
    const holders = [];
    let out = String(text).replace(/\\([\\`*_[\]()<>#+\-.!|~])/g, (_m, c) => `\u0000${holders.push(c) - 1}\u0000`);
    out = esc(out)
      .replace(/\*\*([^*]+)\*\*/g, '<b>$1</b>')
      .replace(/(^|\W)_([^_]+)_(?=\W|$)/g, '$1<i>$2</i>')
      .replace(/\u0000(\d+)\u0000/g, (_m, i) => esc(holders[Number(i)]));
    result.outputHtml = out;
    result.didProcess = true;
  };
})();
