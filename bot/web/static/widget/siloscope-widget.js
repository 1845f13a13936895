/*
 * Siloscope feedback widget loader.
 *
 * A company embeds the widget with one tag; everything else is read from its data-* attributes:
 *
 *   <script src="https://feedback.example.com/static/widget/siloscope-widget.js"
 *           data-socket-url="https://bot.example.com" data-context="v1.eyJ…" defer></script>
 *
 * data-context is the touchpoint context (touchpoint, customer, order) signed by the company's page
 * server (`siloscope context` shows the recipe); the widget never builds a context itself, it only
 * passes the token on, and Rasa's input channel verifies it. The loader loads the vendored
 * rasa-webchat bundle and stylesheet from beside itself (never from a CDN), starts the conversation
 * in context by sending the touchpoint trigger intent with that token as the widget's initPayload,
 * and fills in what rasa-webchat leaves out for keyboard and screen-reader users:
 * labels on its icon buttons, keyboard-operable answer buttons, a live region for new messages,
 * visible focus, focus moved into the chat when it opens and back to the launcher when it closes.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script) {
    return;
  }
  var data = script.dataset;
  var base = script.src;
  if (!data.socketUrl) {
    console.error("Siloscope widget: data-socket-url is required (where browsers reach Rasa's socket.io channel)");
    return;
  }

  var TRIGGER_INTENT = "touchpoint_completed";
  var GREETING_INTENT = "greet";
  var CONTEXT_METADATA_KEY = "siloscope_context";

  /** With a signed context the chat opens on its touchpoint; without one the bot asks what it is about. */
  function initPayload() {
    return "/" + (data.context ? TRIGGER_INTENT : GREETING_INTENT);
  }

  function customData() {
    var found = {};
    if (data.context) {
      found[CONTEXT_METADATA_KEY] = data.context;
    }
    return found;
  }

  /** What the signed context is about (its fields without the expiry), to tell one survey from another. */
  function contextSubject() {
    if (!data.context) {
      return "anonymous";
    }
    try {
      var part = data.context.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      var fields = JSON.parse(window.atob(part + "===".slice((part.length + 3) % 4)));
      delete fields.exp;
      return JSON.stringify(fields);
    } catch (error) {
      return data.context;
    }
  }

  function asset(path) {
    return new URL(path, base).href;
  }

  function addStylesheet() {
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = asset("siloscope-widget.css");
    document.head.appendChild(link);
  }

  function loadBundle(done) {
    if (window.WebChat && window.WebChat.default) {
      done();
      return;
    }
    var bundle = document.createElement("script");
    bundle.src = asset("../vendor/rasa-webchat/index.js");
    bundle.onload = done;
    bundle.onerror = function () {
      console.error("Siloscope widget: could not load " + bundle.src);
    };
    document.head.appendChild(bundle);
  }

  /* ---- accessibility: label and wire up what rasa-webchat renders ---- */

  var LABELS = {
    launcherOpen: data.launcherLabel || "Open the feedback chat",
    launcherClose: "Close the feedback chat",
    close: "Close the feedback chat",
    send: "Send your answer",
    fullScreen: "Toggle full screen",
    messages: "Conversation"
  };

  function setAttr(node, name, value) {
    if (node && node.getAttribute(name) !== value) {
      node.setAttribute(name, value);
    }
  }

  function isOpen(root) {
    return !!root.querySelector(".rw-conversation-container");
  }

  function focusInput(root) {
    var input = root.querySelector(".rw-new-message");
    if (input && !input.disabled) {
      input.focus();
      return true;
    }
    return false;
  }

  function focusTarget(root) {
    var reply = root.querySelector(".rw-replies .rw-reply, .rw-carousel-buttons-container .rw-reply");
    if (reply) {
      reply.focus();
    } else {
      focusInput(root);
    }
  }

  function typing(root) {
    var active = document.activeElement;
    return root.contains(active) && active.classList.contains("rw-new-message") && active.value !== "";
  }

  function enhance(root) {
    var launcher = root.querySelector(".rw-launcher");
    var open = isOpen(root);
    if (launcher) {
      setAttr(launcher, "type", "button");
      setAttr(launcher, "aria-label", open ? LABELS.launcherClose : LABELS.launcherOpen);
      setAttr(launcher, "aria-expanded", open ? "true" : "false");
      launcher.querySelectorAll("img").forEach(function (img) {
        setAttr(img, "alt", "");
      });
    }
    var conversation = root.querySelector(".rw-conversation-container");
    if (conversation) {
      setAttr(conversation, "role", "dialog");
      setAttr(conversation, "aria-label", data.title || "Feedback chat");
    }
    root.querySelectorAll(".rw-close-button").forEach(function (button) {
      setAttr(button, "type", "button");
      setAttr(button, "aria-label", LABELS.close);
    });
    root.querySelectorAll(".rw-toggle-fullscreen-button").forEach(function (button) {
      setAttr(button, "type", "button");
      setAttr(button, "aria-label", LABELS.fullScreen);
    });
    root.querySelectorAll(".rw-header-buttons img, .rw-send img, .rw-send svg").forEach(function (img) {
      setAttr(img, "alt", "");
      setAttr(img, "aria-hidden", "true");
    });
    root.querySelectorAll(".rw-send").forEach(function (button) {
      setAttr(button, "aria-label", LABELS.send);
    });
    root.querySelectorAll(".rw-new-message").forEach(function (input) {
      setAttr(input, "aria-label", input.getAttribute("placeholder") || "Your answer");
    });
    root.querySelectorAll(".rw-messages-container").forEach(function (log) {
      setAttr(log, "role", "log");
      setAttr(log, "aria-live", "polite");
      setAttr(log, "aria-label", LABELS.messages);
      setAttr(log, "tabindex", "0");
    });
    root.querySelectorAll(".rw-typing-indication").forEach(function (typing) {
      setAttr(typing, "role", "status");
      setAttr(typing, "aria-label", "The assistant is typing");
    });
    root.querySelectorAll(".rw-replies, .rw-carousel-buttons-container").forEach(function (group) {
      setAttr(group, "role", "group");
      setAttr(group, "aria-label", "Answers to choose from");
    });
    root.querySelectorAll("div.rw-reply").forEach(function (reply) {
      setAttr(reply, "role", "button");
      setAttr(reply, "tabindex", "0");
      if (!reply.dataset.siloscopeKeys) {
        reply.dataset.siloscopeKeys = "1";
        reply.addEventListener("keydown", function (event) {
          if (event.key === "Enter" || event.key === " ") {
            event.preventDefault();
            reply.click();
          }
        });
      }
    });
  }

  function watch(root) {
    var wasOpen = false;
    var launcherOwesFocus = false;
    var replyCount = 0;
    var scheduled = false;

    function update() {
      scheduled = false;
      enhance(root);
      var open = isOpen(root);
      var replies = root.querySelectorAll(".rw-reply").length;
      if (open && !wasOpen) {
        focusTarget(root);
      } else if (!open && wasOpen) {
        launcherOwesFocus = true;
      } else if (open && replies > replyCount && !typing(root)) {
        // New answer buttons: put the first one under the visitor's fingers, unless they are typing.
        focusTarget(root);
      } else if (open && replies < replyCount && !root.contains(document.activeElement)) {
        // The answer buttons the visitor just used are gone: keep focus inside the chat.
        focusInput(root);
      }
      if (launcherOwesFocus && !open) {
        // On phones rasa-webchat hides the launcher while the chat is open and may show it again a
        // frame after the chat goes, so focus is handed back once the launcher can take it, unless
        // the visitor has meanwhile moved on to something else on the page.
        var launcher = root.querySelector(".rw-launcher");
        var focusIsLost = document.activeElement === document.body || root.contains(document.activeElement);
        if (!focusIsLost) {
          launcherOwesFocus = false;
        } else if (launcher && launcher.getClientRects().length > 0) {
          launcher.focus();
          launcherOwesFocus = false;
        }
      } else if (open) {
        launcherOwesFocus = false;
      }
      wasOpen = open;
      replyCount = replies;
    }

    new MutationObserver(function () {
      if (!scheduled) {
        scheduled = true;
        window.requestAnimationFrame(update);
      }
    }).observe(root, { childList: true, subtree: true, attributes: true, attributeFilter: ["disabled", "class"] });

    root.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && isOpen(root)) {
        var close = root.querySelector(".rw-close-button");
        if (close) {
          close.click();
        }
      }
    });
    update();
  }

  /* ---- one conversation per touchpoint ---- */

  // rasa-webchat keeps its conversation under this key; we remember which context started it.
  var WEBCHAT_SESSION_KEY = "chat_session";
  var CONTEXT_KEY = "siloscope_widget_context";

  /**
   * A reload or another page about the same touchpoint continues the stored conversation; a page
   * about a different touchpoint, order or customer starts a new survey instead of reopening
   * the last one.
   */
  function startFreshIfContextChanged(storage) {
    try {
      var current = contextSubject();
      var previous = storage.getItem(CONTEXT_KEY);
      if (previous !== null && previous !== current) {
        storage.removeItem(WEBCHAT_SESSION_KEY);
      }
      storage.setItem(CONTEXT_KEY, current);
    } catch (error) {
      // Storage disabled (private mode, policy): the widget then keeps nothing across pages anyway.
    }
  }

  /* ---- mount ---- */

  function noDelay() {
    return 0;
  }

  function mount() {
    var storageName = data.storage === "session" ? "session" : "local";
    startFreshIfContextChanged(storageName === "session" ? window.sessionStorage : window.localStorage);
    var root = document.createElement("div");
    root.id = "siloscope-widget";
    root.className = data.embedded === "true" ? "siloscope-widget siloscope-embedded" : "siloscope-widget";
    if (data.accentColor) {
      root.style.setProperty("--siloscope-accent", data.accentColor);
    }
    var host = data.mount ? document.querySelector(data.mount) : null;
    if (data.mount && !host) {
      console.error("Siloscope widget: no element matches data-mount=" + data.mount + "; using the page body");
    }
    (host || document.body).appendChild(root);
    watch(root);
    window.WebChat.default(
      {
        socketUrl: data.socketUrl,
        socketPath: data.socketPath || "/socket.io/",
        initPayload: initPayload(),
        customData: customData(),
        title: data.title || "How did we do?",
        subtitle: data.subtitle || "",
        inputTextFieldHint: data.inputHint || "Type your answer…",
        connectingText: "Connecting…",
        params: { storage: storageName },
        embedded: data.embedded === "true",
        showFullScreenButton: false,
        withRules: false,
        hideWhenNotConnected: true,
        // rasa-webchat holds every bot message back 30 ms per character (0.8 to 3 s) to look like typing;
        // the customer waits for nothing: a reply shows the moment Rasa sends it.
        customMessageDelay: noDelay
      },
      root
    );
    window.SiloscopeWidget = {
      /** Open the chat, e.g. from a "Rate your delivery" button on the page. */
      open: function () {
        var launcher = root.querySelector(".rw-launcher");
        if (!isOpen(root) && launcher) {
          launcher.click();
        } else {
          focusTarget(root);
        }
      },
      root: root
    };
    document.dispatchEvent(new CustomEvent("siloscope:widget-ready"));
  }

  addStylesheet();
  loadBundle(function () {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", mount);
    } else {
      mount();
    }
  });
})();
