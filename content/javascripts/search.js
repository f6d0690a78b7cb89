/* Site search: Pagefind's chunked index (pagefind/), with the field's terms as tokens.
 *
 * The index build gives every term of the vocabularies its own token (casebook.site.search_terms);
 * here the same terms are found in the query and replaced by their tokens, after converting
 * traditional characters to simplified ones, so "黨支部領辦合作社" and "党支部领办合作社" both search
 * for one token. Words that are not terms go to Pagefind as typed. Everything is loaded from
 * this site, and only when the search box is first opened.
 *
 * The offline copy (opened from a folder, where Pagefind cannot load) names its own index in the
 * dialog's data-index: every page's text and tokens in one file (casebook.files.offline_search),
 * searched here by substring with the same query translation and the same result list.
 */
(() => {
  "use strict";
  const script = document.currentScript;
  const root = new URL("..", script.src); // this file is served at javascripts/search.js
  // The header's button, and on the home page a search field in the text (the header's button is
  // only an icon on a phone); focus goes back to the one that opened the dialog.
  const openers = Array.from(document.querySelectorAll(".cb-search__open"));
  let opener = openers[0];
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
      const offline = dialog.dataset.index;
      const terms = window.casebookData.load(new URL("search/terms.json", root).href).then(prepare);
      const backend = offline
        ? window.casebookData.load(new URL(offline, root).href).then(offlineIndex)
        : Promise.all([
          import(new URL("pagefind/pagefind.js", root).href),
          window.casebookData.load(new URL("pagefind/shards.json", root).href),
        ]).then(async ([pf, shards]) => {
          // No penalty for long pages: the term tokens already rank the pages about a term first,
          // and a long case that discusses a term must not fall behind a short page naming it.
          const options = { baseUrl: root.pathname, ranking: { pageLength: 0 } };
          const bundle = new URL("pagefind/", root);
          await pf.options({ basePath: bundle.pathname, ...options });
          await pf.init();
          // A large library is indexed in shards (casebook.site.search_index); each is searched with
          // this bundle's WebAssembly and its results ranked together with the first one's.
          await Promise.all(shards.map((shard) => pf.mergeIndex(new URL(shard, bundle).pathname,
                                                                options)));
          return { search: (wanted) => pf.search(wanted.query) };
        });
      engine = Promise.all([backend, terms]).then(([pf, dictionary]) => ({ pf, dictionary }));
      engine.catch(() => { engine = null; });
    }
    return engine;
  }

  /* The offline index as a search backend shaped like Pagefind: search() gives results whose
     data() gives the page (url, content, meta.title, meta.kind, anchors). A page must contain
     every part of the query, each term and each other word, as a substring: Chinese has no
     spaces to split words at. A term ranks as online, by its token: the page is about it, is
     filed under it, or mentions it (capped counts); another word ranks by where it is, in the
     title or in the text (capped counts). */
  function offlineIndex(index) {
    const weights = index.weights;
    const pages = index.pages.map((page) => ({
      page, title: page.title.toLowerCase(), text: page.text.toLowerCase(),
      about: new Set(page.about), related: new Set(page.related),
    }));
    const FILLER = /[的了和与及或在吗呢，。、；：！？,.;:!?（）()\s]+/;

    function occurrences(text, part) {
      let count = 0;
      for (let at = text.indexOf(part); at >= 0 && count < weights.cap; at = text.indexOf(part, at + part.length)) count += 1;
      return count;
    }

    function score(entry, part) {
      let points;
      if (part.token) {
        points = entry.about.has(part.token) ? entry.page.about_weight : 0;
        if (entry.related.has(part.token)) points += weights.related;
        points += entry.page.mentions[part.token] || 0;
      } else {
        points = (entry.title.includes(part.form) ? weights.title : 0) + occurrences(entry.text, part.form);
      }
      // A term only in link text counts once (the index counts mentions outside links); 0: the
      // page lacks this part.
      return points || Math.min(1, occurrences(entry.text, part.form));
    }

    function search(wanted, d) {
      const parts = wanted.found.map((form) => ({ form: form.toLowerCase(), token: d.terms.get(form) }));
      // The words searched for, without particles and punctuation; the excerpt marks these too.
      wanted.plain = wanted.plain.join(" ").toLowerCase().split(FILLER).filter(Boolean);
      for (const word of wanted.plain) parts.push({ form: word, token: null });
      const hits = [];
      if (parts.length) {
        for (const entry of pages) {
          let total = 0;
          for (const part of parts) {
            const points = score(entry, part);
            if (!points) { total = 0; break; }
            total += points;
          }
          if (total) hits.push({ entry, total });
        }
      }
      hits.sort((a, b) => b.total - a.total); // stable: equal scores keep the index's order
      return { results: hits.map(({ entry }) => ({ data: async () => ({
        url: new URL(entry.page.url, root).href, content: entry.page.text, anchors: entry.page.anchors,
        meta: { title: entry.page.title, kind: entry.page.kind } }) })) };
    }

    return { search };
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
    const answer = await pf.search(wanted, dictionary);
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

  for (const button of openers) {
    button.hidden = false;
    button.addEventListener("click", () => { opener = button; open(); });
  }
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
