// A strategy entry's form shows only the fields of the chosen timing: "every N months" for a
// recurring follow-up, "months after signing" for given months. Fields are marked with
// data-timing; without this script every field stays visible and the server checks them.
(function () {
  "use strict";

  function setup() {
    var radios = document.querySelectorAll('input[type=radio][name=timing]');
    var fields = document.querySelectorAll("[data-timing]");
    if (!radios.length || !fields.length) return;

    function update() {
      var chosen = document.querySelector('input[type=radio][name=timing]:checked');
      var timing = chosen ? chosen.value : "";
      fields.forEach(function (field) {
        // A field with an error stays visible, so the person sees what to fix.
        var wanted = field.getAttribute("data-timing") === timing || field.classList.contains("field-error");
        field.hidden = !wanted;
      });
    }

    radios.forEach(function (radio) {
      radio.addEventListener("change", update);
    });
    update();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
