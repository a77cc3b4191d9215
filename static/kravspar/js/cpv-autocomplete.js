/* CPV autocomplete: the options come from /cpv/sok/ through htmx. Without JavaScript the
   field is a plain text input that takes the eight digits. */
(function () {
  var input = document.getElementById("id_cpv_main");
  var box = document.getElementById("cpv-main-options");
  var chosen = document.getElementById("cpv-main-chosen");
  if (!input || !box) { return; }
  var timer = null;
  var active = -1;
  function options() { return Array.prototype.slice.call(box.querySelectorAll("[role=option]")); }
  function close() {
    box.innerHTML = "";
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }
  function highlight(index) {
    var all = options();
    all.forEach(function (option, i) {
      option.setAttribute("aria-selected", i === index ? "true" : "false");
      option.style.outline = i === index ? "3px solid #0b5394" : "";
      option.style.background = i === index ? "#eef4fb" : "";
    });
    active = index;
    if (index >= 0 && all[index]) {
      input.setAttribute("aria-activedescendant", all[index].id);
      all[index].scrollIntoView({block: "nearest"});
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }
  function choose(option) {
    input.value = option.getAttribute("data-code");
    chosen.textContent = option.getAttribute("data-code") + " " + option.getAttribute("data-label");
    close();
    input.focus();
  }
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    var query = input.value.trim();
    if (query.length < 2 || !window.htmx) { close(); return; }
    timer = window.setTimeout(function () {
      window.htmx.ajax("GET", box.getAttribute("data-url") + "?q=" + encodeURIComponent(query), {target: box, swap: "innerHTML"});
    }, 250);
  });
  box.addEventListener("htmx:afterSwap", function () {
    var all = options();
    all.forEach(function (option) { option.style.cursor = "pointer"; });
    input.setAttribute("aria-expanded", all.length ? "true" : "false");
    active = -1;
  });
  box.addEventListener("mousedown", function (event) {
    var option = event.target.closest("[role=option]");
    if (option) { event.preventDefault(); choose(option); }
  });
  input.addEventListener("keydown", function (event) {
    var all = options();
    if (event.key === "ArrowDown" && all.length) {
      event.preventDefault(); highlight(Math.min(active + 1, all.length - 1));
    } else if (event.key === "ArrowUp" && all.length) {
      event.preventDefault(); highlight(Math.max(active - 1, 0));
    } else if (event.key === "Enter" && active >= 0 && all[active]) {
      event.preventDefault(); choose(all[active]);
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", function () { window.setTimeout(close, 200); });
})();
