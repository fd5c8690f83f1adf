// The case page's "Print" button: shown only where scripts run, and wired here rather than in an inline
// onclick, which the Content-Security-Policy refuses.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
