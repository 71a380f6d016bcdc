// The credential vault: a revealed value is removed from the page after 30 seconds (WP034 6.6).
// Without scripts the value stays on this one response page, which is never cached.
(function () {
  var box = document.getElementById("revealed");
  if (!box) return;
  var seconds = parseInt(box.getAttribute("data-hide-after") || "30", 10);
  window.setTimeout(function () {
    box.parentNode.removeChild(box);
    var note = document.getElementById("revealed-hidden");
    if (note) note.hidden = false;
  }, seconds * 1000);
})();
