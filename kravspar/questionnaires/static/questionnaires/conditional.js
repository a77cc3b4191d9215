// Show a follow-up question only when the question it depends on has the given answer.
// Without JavaScript every question is shown; a follow-up question that does not apply is
// simply not required (the server decides).
(function () {
  "use strict";
  function currentValues(form, name) {
    var values = [];
    form.querySelectorAll('[name="' + name + '"]').forEach(function (input) {
      if ((input.type === "radio" || input.type === "checkbox") ? input.checked : input.value) {
        values.push(input.value);
      }
    });
    return values;
  }
  function update(form) {
    var changed = true;
    var guard = 0;
    while (changed && guard < 50) {
      changed = false;
      guard += 1;
      form.querySelectorAll("[data-show-if]").forEach(function (block) {
        var parent = form.querySelector('[data-question="' + block.dataset.showIf + '"]');
        var parentShown = parent && !parent.hidden;
        var show = parentShown && currentValues(form, block.dataset.showIf).indexOf(block.dataset.showValue) !== -1;
        if (block.hidden === show) {
          block.hidden = !show;
          changed = true;
        }
      });
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-conditional]").forEach(function (form) {
      update(form);
      form.addEventListener("change", function () { update(form); });
      // The builder's preview saves nothing: its form does not submit.
      if (form.hasAttribute("data-preview")) {
        form.addEventListener("submit", function (event) { event.preventDefault(); });
      }
    });
  });
})();
