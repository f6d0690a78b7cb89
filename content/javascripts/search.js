/* Site search: Pagefind's chunked index (pagefind/), with the field's terms as tokens.
 *
 * The index build gives every term of the vocabularies its own token (casebook.search_terms);
 * here the same terms are found in the query and replaced by their tokens, after converting
 * traditional characters to simplified ones, so "黨支部領辦合作社" and "党支部领办合作社" both search
 * for one token. Words that are not terms go to Pagefind as typed. Everything is loaded from
 * this site, and only when the search box is first opened.
 */
(() => {
  "use strict";
  const script = document.currentScript;
  const root = new URL("..", script.src); // this file is served at javascripts/search.js
  const opener = document.querySelector(".cb-search__open");
  const dialog = document.getElementById("cb-search");
  if (!opener || !dialog || typeof dialog.showModal !== "function") return;
  const form = dialog.querySelector(".cb-search__form");
  const input = dialog.querySelector(".cb-search__input");
  const status = dialog.querySelector(".cb-search__status");
  const list = dialog.querySelector(".cb-search__results");
  const more = dialog.querySelector(".cb-search__more");
  const BATCH = 6; // results whose page fragments are fetched at a time
  const QUOTES = /[“”‘’"'「」『』《》〈〉]/g;
  let engine = null;
  let latest = 0;
  let state = null;

  function load() {
    if (!engine) {
      const pagefind = import(new URL("pagefind/pagefind.js", root).href).then(async (pf) => {
        // No penalty for long pages: the term tokens already rank the pages about a term first,
        // and a long case that discusses a term must not fall behind a short page naming it.
        await pf.options({ basePath: new URL("pagefind/", root).pathname, baseUrl: root.pathname,
                           ranking: { pageLength: 0 } });
        await pf.init();
        return pf;
      });
      const terms = fetch(new URL("search/terms.json", root)).then((r) => r.json()).then(prepare);
      engine = Promise.all([pagefind, terms]).then(([pf, dictionary]) => ({ pf, dictionary }));
      engine.catch(() => { engine = null; });
    }
    return engine;
  }

  function prepare(data) {
    const pairs = Array.from(data.t2s);
    const t2s = new Map();
    for (let i = 0; i + 1 < pairs.length; i += 2) t2s.set(pairs[i], pairs[i + 1]);
    const terms = new Map(Object.entries(data.terms));
    const forms = new Map(Object.entries(data.terms).map(([form, token]) => [token, form]));
    let longest = 0;
    for (const form of terms.keys()) longest = Math.max(longest, Array.from(form).length);
    return { t2s, terms, forms, longest, glossary: data.glossary, kinds: data.kinds,
             tokens: new RegExp(data.token_pattern.replace(/\\b/g, ""), "g") };
  }

  /* The query as Pagefind should see it: simplified, quotes dropped, terms → tokens. */
  function translate(query, d) {
    const chars = Array.from(query.replace(QUOTES, "")).map((c) => d.t2s.get(c) || c);
    const found = [];
    const words = [];
    let rest = "";
    for (let i = 0; i < chars.length;) {
      let match = null;
      for (let n = Math.min(d.longest, chars.length - i); n >= 2 && !match; n--) {
        const piece = chars.slice(i, i + n).join("");
        if (d.terms.has(piece)) match = piece;
      }
      if (match) {
        found.push(match);
        words.push(rest, d.terms.get(match));
        rest = "";
        i += Array.from(match).length;
      } else {
        rest += chars[i];
        i += 1;
      }
    }
    words.push(rest);
    const plain = words.filter((w) => w && !d.forms.has(w)).join(" ").split(/\s+/).filter(Boolean);
    return { query: words.join(" ").replace(/\s+/g, " ").trim(), found, plain };
  }

  async function search(query) {
    const id = ++latest;
    if (!query.trim()) {
      list.replaceChildren();
      delete list.dataset.query;
      status.textContent = "";
      more.hidden = true;
      return;
    }
    status.textContent = "正在搜索……";
    list.setAttribute("aria-busy", "true");
    let loaded;
    try {
      loaded = await load();
    } catch (error) {
      status.textContent = "搜索索引没有加载成功，请检查网络后重试。";
      return;
    }
    const { pf, dictionary } = loaded;
    const wanted = translate(query, dictionary);
    const answer = await pf.search(wanted.query);
    if (id !== latest) return;
    state = { id, wanted, dictionary, results: answer.results, shown: 0 };
    list.replaceChildren();
    status.textContent = answer.results.length
      ? `找到 ${answer.results.length} 个页面`
      : `没有找到与“${query.trim()}”有关的页面。可以换个说法，或少输入几个字。`;
    await showMore();
    if (id !== latest) return;
    list.dataset.query = query; // what the list shows, for people's tools and for tests
    list.setAttribute("aria-busy", "false");
  }

  async function showMore() {
    const current = state;
    if (!current) return;
    const batch = current.results.slice(current.shown, current.shown + BATCH);
    const pages = await Promise.all(batch.map((result) => result.data()));
    if (current.id !== latest) return;
    for (const page of pages) list.append(resultItem(page, current.wanted, current.dictionary));
    current.shown += batch.length;
    more.hidden = current.shown >= current.results.length;
  }

  function resultItem(page, wanted, d) {
    // Pagefind joins the words it segmented with zero-width spaces; the tokens come last.
    const content = page.content.replace(/\u200b/g, "").replace(d.tokens, "").replace(/\s+/g, " ").trim();
    let href = page.url;
    let title = page.meta.title || page.url;
    if (page.meta.kind === d.kinds.glossary) {
      const entry = glossaryEntry(page, content, wanted, d);
      if (entry) {
        href = `${page.url}#${entry.id}`;
        title = `${title}：${entry.text}`;
      }
    }
    const item = document.createElement("li");
    item.className = "cb-search__result";
    const link = document.createElement("a");
    link.href = href;
    const kind = document.createElement("span");
    kind.className = "cb-search__kind";
    kind.textContent = page.meta.kind || d.kinds.page;
    const name = document.createElement("span");
    name.className = "cb-search__title";
    name.textContent = title;
    link.append(kind, name);
    item.append(link, excerpt(content, page.meta.title || "", wanted));
    return item;
  }

  /* The glossary entry a result stands for: the term searched for, else the entry where the
     query first occurs. */
  function glossaryEntry(page, content, wanted, d) {
    const anchors = (page.anchors || []).filter((a) => a.element === "dt" && a.id && a.text);
    const named = wanted.found.map((form) => d.glossary[d.terms.get(form)]).find(Boolean);
    const direct = anchors.find((a) => a.id === named);
    if (direct) return direct;
    const at = firstMatch(content, wanted).at;
    let best = null;
    let bestAt = -1;
    for (const anchor of anchors) {
      const where = content.lastIndexOf(anchor.text, at);
      if (at >= 0 && where > bestAt) { best = anchor; bestAt = where; }
    }
    return best;
  }

  function firstMatch(text, wanted) {
    let at = -1;
    let needle = "";
    for (const candidate of [...wanted.found, ...wanted.plain].filter(Boolean)) {
      const index = text.indexOf(candidate);
      if (index >= 0 && (at < 0 || index < at)) { at = index; needle = candidate; }
    }
    return { at, needle };
  }

  /* A line of the page around the first place the query occurs, with the match marked. */
  function excerpt(content, title, wanted) {
    const body = content.startsWith(title) ? content.slice(title.length).trim() : content;
    const { at, needle } = firstMatch(body, wanted);
    const line = document.createElement("p");
    line.className = "cb-search__excerpt";
    if (at < 0) {
      line.textContent = body.slice(0, 90) + (body.length > 90 ? "……" : "");
      return line;
    }
    const start = Math.max(0, at - 30);
    const end = Math.min(body.length, at + needle.length + 60);
    const mark = document.createElement("mark");
    mark.textContent = needle;
    line.append((start > 0 ? "……" : "") + body.slice(start, at), mark,
                body.slice(at + needle.length, end) + (end < body.length ? "……" : ""));
    return line;
  }

  let timer = 0;
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(() => search(input.value), 150);
  }

  function open() {
    if (!dialog.open) dialog.showModal();
    input.focus();
    input.select();
    load().catch(() => {});
  }

  opener.hidden = false;
  opener.addEventListener("click", open);
  dialog.querySelector(".cb-search__close").addEventListener("click", () => dialog.close());
  dialog.addEventListener("click", (event) => { if (event.target === dialog) dialog.close(); });
  input.addEventListener("input", schedule);
  dialog.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { // closes at once; a search field would only clear its text
      event.preventDefault();
      dialog.close();
      opener.focus();
    }
  });
  more.addEventListener("click", () => showMore());
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const first = list.querySelector("a");
    if (first) window.location.href = first.href;
    else search(input.value);
  });
  document.addEventListener("keydown", (event) => {
    const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName) || event.target.isContentEditable;
    if (!typing && !event.ctrlKey && !event.metaKey && !event.altKey && (event.key === "/" || event.key === "s")) {
      event.preventDefault();
      open();
    }
  });
})();
