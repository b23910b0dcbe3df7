// Inside /embed/<slug>/: learn the parent page's address, and tell the parent our height.
// Messages are accepted only from the origins the server allows (EMBED_ORIGINS).
(function () {
  "use strict";
  var script = document.currentScript;
  var allowed = (script && script.getAttribute("data-parent-origins") || "").split(" ").filter(Boolean);
  var parentOrigin = null;
  if (window.parent === window || allowed.length === 0) return;

  function sendHeight() {
    if (!parentOrigin) return;
    var height = Math.ceil(document.documentElement.scrollHeight);
    window.parent.postMessage({ type: "clinic-embed:height", height: height }, parentOrigin);
  }

  window.addEventListener("message", function (event) {
    if (event.source !== window.parent || allowed.indexOf(event.origin) === -1) return;
    var data = event.data || {};
    if (data.type !== "clinic-embed:page" || typeof data.page !== "string") return;
    parentOrigin = event.origin;
    var field = document.querySelector("input[name=landing_page]");
    if (field) field.value = data.page.slice(0, 2000);
    sendHeight();
  });

  if (window.ResizeObserver) new ResizeObserver(sendHeight).observe(document.documentElement);
  window.addEventListener("load", sendHeight);
  // Nothing in this message is private: it only asks the parent to introduce itself.
  window.parent.postMessage({ type: "clinic-embed:ready" }, "*");
})();
