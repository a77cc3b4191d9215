// A button marked data-print opens the browser's print dialogue (kept out of the page so
// that the Content-Security-Policy can forbid inline script).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
