// The main navigation's disclosure menus (WAI-ARIA disclosure pattern, not an ARIA menu):
// each group name becomes a button with aria-expanded that shows or hides its links; Escape
// closes the open group and returns focus to its button; a click or focus outside closes it.
// On a narrow screen the "Menu" button shows or hides the whole list. Without this script
// every group is an open list of links, so nothing depends on it.
(function () {
  "use strict";

  function setup() {
    var nav = document.getElementById("main-nav");
    if (!nav) return;
    var list = document.getElementById("main-nav-list");
    var toggle = nav.querySelector(".nav-toggle");
    var buttons = [];

    function close(button) {
      button.setAttribute("aria-expanded", "false");
    }

    function closeAll(except) {
      buttons.forEach(function (b) {
        if (b !== except) close(b);
      });
    }

    nav.querySelectorAll(".nav-group").forEach(function (group) {
      var name = group.querySelector(".nav-group-name");
      var links = group.querySelector("ul");
      if (!name || !links) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "nav-group-toggle";
      button.id = name.id;
      button.textContent = name.textContent;
      button.setAttribute("aria-expanded", "false");
      button.setAttribute("aria-controls", links.id);
      if (links.querySelector("[aria-current=page]")) button.classList.add("nav-current");
      name.replaceWith(button);
      buttons.push(button);
      button.addEventListener("click", function () {
        var open = button.getAttribute("aria-expanded") === "true";
        closeAll(button);
        button.setAttribute("aria-expanded", open ? "false" : "true");
      });
      group.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
          close(button);
          button.focus();
          event.stopPropagation();
        }
      });
    });

    if (toggle && list) {
      toggle.hidden = false;
      toggle.addEventListener("click", function () {
        var open = toggle.getAttribute("aria-expanded") === "true";
        toggle.setAttribute("aria-expanded", open ? "false" : "true");
      });
    }
    nav.classList.add("nav-enhanced");

    document.addEventListener("click", function (event) {
      if (!nav.contains(event.target)) closeAll(null);
    });
    nav.addEventListener("focusout", function (event) {
      if (event.relatedTarget && !nav.contains(event.relatedTarget)) closeAll(null);
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && toggle && toggle.getAttribute("aria-expanded") === "true") {
        toggle.setAttribute("aria-expanded", "false");
        toggle.focus();
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
