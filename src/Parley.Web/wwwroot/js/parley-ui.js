// Small DOM helpers Blazor cannot do by itself.
window.parleyMetrics = { sendMs: [], encryptMs: [] };
window.parleyUi = {
  // Milliseconds from "send" to the server's acknowledgement of an encrypted text, and the part of it
  // spent in the browser (everything but waiting for the acknowledgement), for the README's numbers.
  recordSend(ms, ackMs) {
    window.parleyMetrics.sendMs.push(ms);
    window.parleyMetrics.encryptMs.push(ms - ackMs);
  },
  scrollToEnd(element) {
    if (element) element.scrollTop = element.scrollHeight;
  },
  // A click on a quote: bring the original into view and make it glow briefly. False if it is not on the page.
  scrollToMessage(id) {
    const target = document.getElementById(id);
    if (!target) return false;
    const smooth = !window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    target.scrollIntoView({ block: 'center', behavior: smooth ? 'smooth' : 'auto' });
    target.classList.remove('highlight');
    void target.offsetWidth; // restart the animation when the same quote is clicked again
    target.classList.add('highlight');
    setTimeout(() => target.classList.remove('highlight'), 1600);
    return true;
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
