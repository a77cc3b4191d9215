/* Search-as-you-type pickers (kravspar/core/pickers.py): every input with data-picker is a
   combobox whose options come from that address through htmx. Arrow keys move through the
   options, Enter chooses, Escape closes. Without JavaScript the input is a plain text field
   that the server resolves. An input with data-picker-chosen names an element that shows the
   chosen option's text (the CPV code's words). No inline script: the page's CSP forbids it. */
(function () {
  function setUp(input) {
    var box = document.getElementById(input.getAttribute("aria-controls"));
    if (!box || input.hasAttribute("data-picker-ready")) { return; }
    input.setAttribute("data-picker-ready", "");
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
        option.classList.toggle("active", i === index);
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
      input.value = option.getAttribute("data-value");
      var chosen = document.getElementById(input.getAttribute("data-picker-chosen") || "");
      if (chosen) { chosen.textContent = option.textContent.replace(/\s+/g, " ").trim(); }
      close();
      input.focus();
      input.dispatchEvent(new Event("change", {bubbles: true}));
    }
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      var query = input.value.trim();
      if (query.length < 2 || !window.htmx) { close(); return; }
      timer = window.setTimeout(function () {
        window.htmx.ajax("GET", input.getAttribute("data-picker") + "?q=" + encodeURIComponent(query), {target: box, swap: "innerHTML"});
      }, 250);
    });
    box.addEventListener("htmx:afterSwap", function () {
      input.setAttribute("aria-expanded", options().length ? "true" : "false");
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
      } else if (event.key === "Escape" && all.length) {
        event.preventDefault(); close();
      }
    });
    input.addEventListener("blur", function () { window.setTimeout(close, 200); });
  }
  Array.prototype.forEach.call(document.querySelectorAll("input[data-picker]"), setUp);
})();
