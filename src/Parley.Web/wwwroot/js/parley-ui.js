// Small DOM helpers Blazor cannot do by itself.
window.parleyMetrics = { sendMs: [] };
window.parleyUi = {
  // Milliseconds from "send" to the server's acknowledgement of an encrypted text (README numbers).
  recordSend(ms) {
    window.parleyMetrics.sendMs.push(ms);
  },
  scrollToEnd(element) {
    if (element) element.scrollTop = element.scrollHeight;
  },
  // Enter sends, Shift+Enter starts a new line; focuses the composer.
  enterToSend(id) {
    const box = document.getElementById(id);
    if (!box) return;
    box.focus();
    box.addEventListener('keydown', event => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        box.form?.requestSubmit();
      }
    });
  },
};
