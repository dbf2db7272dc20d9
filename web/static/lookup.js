/* Print and copy buttons on the print view. The page works without this file: the text is
   in a selectable box and the browser's own print menu works. */
(function () {
  "use strict";
  var printButton = document.getElementById("print-button");
  var copyButton = document.getElementById("copy-button");
  var status = document.getElementById("copy-status");
  if (printButton) {
    printButton.hidden = false;
    printButton.addEventListener("click", function () { window.print(); });
  }
  if (!copyButton) return;
  var source = document.getElementById(copyButton.getAttribute("data-copy-target"));
  copyButton.hidden = false;
  function done(ok) {
    status.textContent = ok ? "Teksten er kopieret." : "Kunne ikke kopiere. Markér teksten og kopiér selv.";
  }
  copyButton.addEventListener("click", function () {
    var text = source.value;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, function () { fallback(); });
    } else {
      fallback();
    }
    function fallback() {
      source.focus();
      source.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      done(ok);
    }
  });
})();
