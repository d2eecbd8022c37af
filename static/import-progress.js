// Progress of a running import: asks the server every 2 s and updates the bar; reloads
// the page (which then shows the report) once the import has finished. Without
// JavaScript the page offers a refresh link instead.
(function () {
  var box = document.getElementById("progress");
  if (!box || !window.fetch) return;
  var bar = document.getElementById("progress-bar");
  var text = document.getElementById("progress-text");
  var template = text.textContent.replace(/\d+/, "{p}");
  function poll() {
    fetch(box.getAttribute("data-status-url"), {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (s.finished) { window.location.reload(); return; }
        bar.value = s.percent;
        bar.textContent = s.percent + "%";
        text.textContent = template.replace("{p}", s.percent);
        setTimeout(poll, 2000);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
