/* Demo shop: the "Tell us in the chat" button opens the feedback widget once it is ready. */
(function () {
  "use strict";
  function ready() {
    var button = document.getElementById("rate-button");
    if (!button || !window.SiloscopeWidget) {
      return;
    }
    button.disabled = false;
    button.addEventListener("click", function () {
      window.SiloscopeWidget.open();
    });
  }
  if (window.SiloscopeWidget) {
    ready();
  } else {
    document.addEventListener("siloscope:widget-ready", ready);
  }
})();
