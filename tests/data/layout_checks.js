/* What tests/test_phone_browser.py checks on a page as it is shown now; returns the problems found.
 *
 * options.overflow: "all" (any element) or "tables" (an element that is or holds a table).
 *   A box needs a sideways scroll when it scrolls or clips (overflow other than visible) and its
 *   content is wider than it (scrollWidth > clientWidth); content overflowing a box with visible
 *   overflow spills into such an ancestor or the page, and is caught there. Left out: text cut
 *   on purpose with an ellipsis, visually hidden text (clip), Material's header title (its two
 *   titles slide past each other, each ellipsised), and what is off screen (the closed drawer).
 * options.cells: text in a table cell under 14 px fails (a superscript mark aside).
 * options.targets: WCAG 2.2 success criterion 2.5.8 (target size, minimum): a target under
 *   24×24 px passes only if a 24 px circle centred on it meets no other target and no other
 *   undersized target's circle, or if it is a link in a sentence (an inline link whose block
 *   holds other words). A checkbox with its label is one target, the label.
 */
(options) => {
  const problems = [];
  const width = window.innerWidth;
  const shown = (e) => e.checkVisibility({ opacityProperty: true, visibilityProperty: true });
  const onScreen = (box) => box.right > 0 && box.left < width;
  const describe = (e) => {
    let name = e.tagName.toLowerCase() + (e.id ? `#${e.id}` : "");
    const classes = typeof e.className === "string" ? e.className.trim().split(/\s+/).filter(Boolean) : [];
    if (classes.length) name += `.${classes.slice(0, 2).join(".")}`;
    const text = (e.textContent || "").trim().replace(/\s+/g, " ").slice(0, 24);
    return text ? `${name} "${text}"` : name;
  };

  const page = document.scrollingElement;
  if (page.scrollWidth > width) {
    problems.push(`the page scrolls sideways: ${page.scrollWidth} px wide in a ${width} px window`);
  }
  for (const e of document.body.querySelectorAll("*")) {
    if (!(e instanceof HTMLElement) || e.clientWidth <= 2 || e.scrollWidth <= e.clientWidth + 1) continue;
    if (!shown(e) || !onScreen(e.getBoundingClientRect())) continue;
    const style = getComputedStyle(e);
    if (style.overflowX === "visible" || style.textOverflow === "ellipsis" || style.clip !== "auto") continue;
    if (e.closest(".md-header__title")) continue;
    if (options.overflow === "tables" && !(e.matches("table") || e.querySelector("table"))) continue;
    problems.push(`needs a sideways scroll: ${describe(e)} (${e.scrollWidth} px of content in ${e.clientWidth} px)`);
  }

  if (options.cells) {
    for (const cell of document.querySelectorAll("article td, article th")) {
      if (!shown(cell)) continue;
      for (const e of [cell, ...cell.querySelectorAll("*")]) {
        if (e.tagName === "SUP" || !shown(e)) continue;
        const ownText = Array.from(e.childNodes).some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
        const size = parseFloat(getComputedStyle(e).fontSize);
        if (ownText && size < 14) {
          problems.push(`table text under 14 px: ${describe(e)} at ${size} px`);
          break;
        }
      }
    }
  }

  if (options.targets) {
    const selector = 'a[href], button, input:not([type="hidden"]), select, textarea, summary, [role="button"], [tabindex]:not([tabindex="-1"])';
    const found = new Set();
    for (let e of document.querySelectorAll(selector)) {
      if (e.tagName === "INPUT" && e.closest("label")) e = e.closest("label");
      const box = e.getBoundingClientRect();
      if (shown(e) && box.width > 0 && box.height > 0 && onScreen(box)) found.add(e);
    }
    const inSentence = (e) => {
      if (getComputedStyle(e).display !== "inline") return false;
      let block = e.parentElement;
      while (block.parentElement && getComputedStyle(block).display.startsWith("inline")) block = block.parentElement;
      const words = block.cloneNode(true);
      words.querySelectorAll(selector).forEach((t) => t.remove());
      return /\p{L}{2,}/u.test(words.textContent);
    };
    const targets = Array.from(found, (e) => {
      const b = e.getBoundingClientRect();
      const left = b.left + window.scrollX;
      const top = b.top + window.scrollY;
      return { e, left, top, right: left + b.width, bottom: top + b.height, x: left + b.width / 2,
               y: top + b.height / 2, w: b.width, h: b.height, small: b.width < 23.5 || b.height < 23.5 };
    });
    const circleMeets = (a, box) => {
      const dx = Math.max(box.left - a.x, 0, a.x - box.right);
      const dy = Math.max(box.top - a.y, 0, a.y - box.bottom);
      return dx * dx + dy * dy < 144;
    };
    let failing = 0;
    for (const a of targets) {
      if (!a.small || inSentence(a.e)) continue;
      const other = targets.find((o) => o !== a && !o.e.contains(a.e) && !a.e.contains(o.e) &&
        (circleMeets(a, o) || (o.small && Math.hypot(a.x - o.x, a.y - o.y) < 24)));
      if (!other) continue;
      failing += 1;
      if (failing <= 8) {
        problems.push(`tap target ${Math.round(a.w)}×${Math.round(a.h)} px with another too close: ${describe(a.e)} / ${describe(other.e)}`);
      }
    }
    if (failing > 8) problems.push(`… ${failing} tap targets too small and too close in all`);
  }
  return problems;
}
