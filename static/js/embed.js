// On the clinic's own pages, beside <iframe data-clinic-embed src=".../embed/<slug>/">:
// tells the frame the page's address (its landing page) and resizes it to its content.
// Messages are accepted only from the frame's own origin and window.
(function () {
  "use strict";
  function frames() {
    return Array.prototype.slice.call(document.querySelectorAll("iframe[data-clinic-embed]"));
  }

  function originOf(frame) {
    try { return new URL(frame.src, window.location.href).origin; } catch (error) { return null; }
  }

  function introduce(frame) {
    var origin = originOf(frame);
    if (origin && frame.contentWindow) {
      frame.contentWindow.postMessage({ type: "clinic-embed:page", page: window.location.href }, origin);
    }
  }

  window.addEventListener("message", function (event) {
    frames().forEach(function (frame) {
      if (event.source !== frame.contentWindow || event.origin !== originOf(frame)) return;
      var data = event.data || {};
      if (data.type === "clinic-embed:ready") introduce(frame);
      if (data.type === "clinic-embed:height" && typeof data.height === "number" && data.height > 0) {
        frame.style.height = Math.min(data.height, 10000) + "px";
      }
    });
  });

  // The frame may have said "ready" before this script ran.
  frames().forEach(function (frame) {
    introduce(frame);
    frame.addEventListener("load", function () { introduce(frame); });
  });
})();
