/* The case finder (finder/): filters the cases in finder/cases.json (loaded with data.js) by the
 * ticked choices.
 *
 * Within one facet the choices are alternatives (any of them), between facets all must hold.
 * Next to every choice is the number of cases one would find with it ticked as well; the choices
 * live in the page address (?region=guizhou&practice=yijiantiao,diyi-shuji-zhucun), so a link
 * or a reload reproduces them. A region matches its cases and those of every region below it.
 */
(() => {
  "use strict";
  const root = document.querySelector(".cb-finder");
  if (!root) return;
  const form = root.querySelector(".cb-finder__filters");
  const counts = root.querySelectorAll(".cb-finder__count"); // above the filters and the results
  const list = root.querySelector(".cb-finder__list");
  const more = root.querySelector(".cb-finder__more");
  const empty = root.querySelector(".cb-finder__empty"); // no case at all: the way back
  const FACETS = Array.from(form.querySelectorAll("[data-facet]"), (el) => el.dataset.facet);
  const BATCH = 30;
  let data = null;
  let matches = [];
  let shown = 0;

  function chosenFromAddress() {
    const params = new URLSearchParams(window.location.search);
    const chosen = {};
    for (const facet of FACETS) {
      chosen[facet] = new Set(params.getAll(facet).flatMap((v) => v.split(",")).filter(Boolean));
    }
    return chosen;
  }

  function chosenFromForm() {
    const chosen = {};
    for (const facet of FACETS) {
      chosen[facet] = new Set(Array.from(form.querySelectorAll(`input[name="${facet}"]:checked`),
                                         (box) => box.value));
    }
    return chosen;
  }

  function tick(chosen) {
    for (const box of form.querySelectorAll("input[type=checkbox]")) {
      box.checked = chosen[box.name]?.has(box.value) ?? false;
    }
    for (const details of form.querySelectorAll("details[data-facet]")) {
      if (chosen[details.dataset.facet]?.size) details.open = true; // show what the link chose
    }
  }

  function writeAddress(chosen) {
    const parts = FACETS.filter((f) => chosen[f].size)
      .map((f) => `${f}=${Array.from(chosen[f]).map(encodeURIComponent).join(",")}`);
    const address = window.location.pathname + (parts.length ? `?${parts.join("&")}` : "");
    if (address !== window.location.pathname + window.location.search) {
      window.history.replaceState(null, "", address);
    }
  }

  /* Positions (in the data's facet lists) of the chosen ids, per facet; null when none. */
  function wanted(chosen) {
    const positions = {};
    for (const facet of FACETS) {
      if (!chosen[facet].size) { positions[facet] = null; continue; }
      positions[facet] = new Set();
      data.facets[facet].forEach((value, i) => { if (chosen[facet].has(value.id)) positions[facet].add(i); });
    }
    return positions;
  }

  function holds(item, facet, positions) {
    const want = positions[facet];
    return !want || item[facet].some((i) => want.has(i));
  }

  function update() {
    const chosen = chosenFromForm();
    writeAddress(chosen);
    for (const facet of FACETS) {
      const label = root.querySelector(`[data-chosen="${facet}"]`);
      if (label) label.textContent = chosen[facet].size ? `（已选 ${chosen[facet].size} 项）` : "";
    }
    if (!data) return;
    const positions = wanted(chosen);
    matches = data.cases.filter((item) => FACETS.every((f) => holds(item, f, positions)));
    for (const facet of FACETS) {
      const tally = new Array(data.facets[facet].length).fill(0);
      for (const item of data.cases) {
        if (FACETS.every((f) => f === facet || holds(item, f, positions))) {
          for (const i of item[facet]) tally[i] += 1;
        }
      }
      data.facets[facet].forEach((value, i) => {
        const cell = root.querySelector(`[data-count="${facet}:${CSS.escape(value.id)}"]`);
        if (!cell) return;
        cell.textContent = `（${tally[i]}）`;
        cell.closest("li").classList.toggle("cb-finder__none", tally[i] === 0);
      });
    }
    const summary = matches.length === data.cases.length
      ? `共 ${matches.length} 个案例`
      : `符合条件的案例：${matches.length} 个（共 ${data.cases.length} 个）`;
    counts.forEach((line) => { line.textContent = summary; });
    empty.hidden = matches.length > 0;
    list.replaceChildren();
    shown = 0;
    showMore();
  }

  function showMore() {
    const base = new URL("..", window.location.href); // case URLs are relative to the site root
    for (const item of matches.slice(shown, shown + BATCH)) {
      const entry = document.createElement("li");
      entry.className = "cb-finder__case";
      const link = document.createElement("a");
      link.href = window.casebookData.page(new URL(item.url, base).href);
      link.textContent = item.title;
      const meta = document.createElement("span");
      meta.className = "cb-finder__meta";
      meta.textContent = `${item.place} · ${data.facets.level[item.level[0]]?.name ?? ""} · ${item.years}`;
      entry.append(link, document.createElement("br"), meta);
      list.append(entry);
    }
    shown = Math.min(matches.length, shown + BATCH);
    more.hidden = shown >= matches.length;
  }

  tick(chosenFromAddress());
  form.addEventListener("change", update);
  form.addEventListener("reset", () => setTimeout(update, 0));
  form.addEventListener("submit", (event) => event.preventDefault());
  more.addEventListener("click", showMore);
  update();
  window.casebookData.load(root.dataset.source) // fetched, or from its script twin offline
    .then((loaded) => { data = loaded; root.dataset.ready = "true"; update(); })
    .catch(() => {
      counts.forEach((line) => { line.textContent = "案例数据没有加载成功，请检查网络后刷新本页。"; });
    });
})();
