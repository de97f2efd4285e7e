// The session pages' only script (the Content-Security-Policy allows no inline script).
// It never turns page text into markup: highlighting builds text nodes from textContent.
"use strict";

(function () {
  // One JSON token a match: a string (a key when a colon follows), a number, a literal,
  // or punctuation. Whitespace between tokens is copied as it is.
  const TOKEN =
    /("(?:[^"\\]|\\.)*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|\b(true|false|null)\b|([{}[\],:])/g;

  function span(className, text) {
    const element = document.createElement("span");
    element.className = className;
    element.textContent = text;
    return element;
  }

  function highlight(pre) {
    if (pre.dataset.highlighted) return;
    pre.dataset.highlighted = "true";
    const source = pre.textContent;
    const fragment = document.createDocumentFragment();
    let last = 0;
    for (const match of source.matchAll(TOKEN)) {
      if (match.index > last) {
        fragment.append(document.createTextNode(source.slice(last, match.index)));
      }
      if (match[1] !== undefined) {
        fragment.append(span(match[2] ? "j-key" : "j-string", match[1]));
        if (match[2]) fragment.append(span("j-punct", match[2]));
      } else if (match[3] !== undefined) {
        fragment.append(span("j-number", match[3]));
      } else if (match[4] !== undefined) {
        fragment.append(span("j-literal", match[4]));
      } else {
        fragment.append(span("j-punct", match[5]));
      }
      last = match.index + match[0].length;
    }
    fragment.append(document.createTextNode(source.slice(last)));
    pre.replaceChildren(fragment);
  }

  // Up to this much JSON text is highlighted at once when the page loads.
  const EAGER_CHARACTERS = 300000;

  // A page of ordinary size is highlighted at once. On a long one (a 1,000-message page, big
  // base64 blobs) a block is highlighted when it first comes into view, so blocks inside
  // closed <details> or the hidden raw view cost nothing until shown.
  function highlightWhenVisible(root) {
    const blocks = Array.from(root.querySelectorAll("pre.json"));
    let characters = 0;
    for (const block of blocks) characters += block.textContent.length;
    if (characters <= EAGER_CHARACTERS || !("IntersectionObserver" in window)) {
      blocks.forEach(highlight);
      return;
    }
    const observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          if (entry.isIntersecting) {
            highlight(entry.target);
            observer.unobserve(entry.target);
          }
        }
      },
      { rootMargin: "400px" },
    );
    blocks.forEach((block) => observer.observe(block));
  }

  function setUpRawToggle() {
    const toggle = document.getElementById("raw-toggle");
    if (!toggle) return;
    toggle.addEventListener("click", () => {
      const showing = document.body.classList.toggle("show-raw");
      toggle.setAttribute("aria-pressed", String(showing));
      toggle.textContent = showing ? "Show rendered" : "Show raw JSON";
    });
  }

  function setUpCopyButtons() {
    document.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-copy]");
      if (!button) return;
      // A raw cell copies its <pre>; a bubble's button names what it copies (its item JSON).
      const pre = button.dataset.copy
        ? button.closest(".bubble").querySelector(button.dataset.copy)
        : button.closest(".raw").querySelector("pre");
      navigator.clipboard.writeText(pre.textContent).then(
        () => flash(button, "Copied"),
        () => flash(button, "Copy failed"),
      );
    });
  }

  function flash(button, text) {
    const original = button.dataset.label || button.textContent;
    button.dataset.label = original;
    button.textContent = text;
    window.setTimeout(() => {
      button.textContent = original;
    }, 1500);
  }

  document.addEventListener("DOMContentLoaded", () => {
    highlightWhenVisible(document);
    setUpRawToggle();
    setUpCopyButtons();
  });
})();
