// Keyboard categorisation on the review pages. The page works without this file: each
// category is a submit button of the decide form. Here a digit key presses the button
// of that key, on the selected items, or on the focused one when none is selected;
// j/k move the focus between items and x selects or unselects the focused one.
(function () {
  "use strict";

  function typing(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    if (tag === "textarea" || tag === "select") return true;
    return tag === "input" && target.type !== "checkbox";
  }

  function picks(form) {
    return Array.prototype.slice.call(form.querySelectorAll("input.review-pick"));
  }

  function focused(form) {
    var active = document.activeElement;
    var item = active && active.closest ? active.closest(".review-item") : null;
    return item && form.contains(item) ? item.querySelector("input.review-pick") : null;
  }

  function move(form, step) {
    var all = picks(form);
    if (!all.length) return;
    var at = all.indexOf(focused(form));
    var next = at < 0 ? 0 : Math.min(all.length - 1, Math.max(0, at + step));
    all[next].focus();
  }

  function categorise(form, key) {
    var button = form.querySelector('button[data-key="' + key + '"]');
    if (!button) return;
    var all = picks(form);
    if (all.length && !all.some(function (p) { return p.checked; })) {
      var one = focused(form);
      if (!one) return;
      one.checked = true;
    }
    if (form.requestSubmit) {
      form.requestSubmit(button);
    } else {
      button.click();
    }
  }

  document.addEventListener("keydown", function (event) {
    var form = document.getElementById("decide-form");
    if (!form || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (/^[0-9]$/.test(event.key)) {
      event.preventDefault();
      categorise(form, event.key);
    } else if (event.key === "j") {
      move(form, 1);
    } else if (event.key === "k") {
      move(form, -1);
    } else if (event.key === "x") {
      var one = focused(form);
      if (one) one.checked = !one.checked;
    }
  });
})();
