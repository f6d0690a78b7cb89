/* Site search, quick on a weak network: the field's terms from a small index, other words from
 * Pagefind (pagefind/), the same ranking on the site and in the offline copy.
 *
 * The index build gives every term of the vocabularies its own token (casebook.site.search_terms);
 * here a query is converted to simplified characters, everyday words are replaced by the forms
 * they stand for (cases/vocab/synonyms/), and the terms in it by their tokens. The terms are
 * answered from the quick index (casebook.site.quick_search): the postings of each token, then the
 * titles of the best pages, two small files; the results show with their titles at once and
 * their excerpts as each page's text arrives. Words that are not terms go to the full-text index:
 * Pagefind on the site, loaded only when such a word is searched; in the offline copy (opened from
 * a folder, where Pagefind cannot load) the dialog's data-index names a file of every page's text
 * (casebook.files.offline_search), searched by substring. Its results follow the quick ones.
 *
 * The dictionary (search/terms.json) loads when the page is idle or the search box is opened.
 * Everything is loaded from this site.
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
  const BATCH = 6; // results shown at a time
  const QUOTES = /[“”‘’"'「」『』《》〈〉]/g;
  const FILLER = /[的了和与及或在吗呢，。、；：！？,.;:!?（）()\s]+/;
  const offline = dialog.dataset.index;
  const load = (path) => window.casebookData.load(new URL(path, root).href);
  const idle = window.requestIdleCallback || ((callback) => setTimeout(callback, 1500));
  let dictionaryLoad = null;
  let fullLoad = null;
  let latest = 0;
  let state = null;

  function dictionary() {
    if (!dictionaryLoad) {
      dictionaryLoad = load("search/terms.json").then(prepare);
      dictionaryLoad.catch(() => { dictionaryLoad = null; });
    }
    return dictionaryLoad;
  }

  /* The full-text index: Pagefind online, the offline index in the copy. Its search(wanted, d)
     gives { results } whose items have a key (the page's Pagefind id, or its path in the copy)
     and data() → { url, content, anchors, meta: { title, kind } }; text(page) gives that for a
     page of the quick index. */
  function full() {
    if (!fullLoad) {
      fullLoad = offline ? load(offline).then(offlineIndex) : pagefindIndex();
      fullLoad.catch(() => { fullLoad = null; });
    }
    return fullLoad;
  }

  async function pagefindIndex() {
    const [pf, shards] = await Promise.all([
      import(new URL("pagefind/pagefind.js", root).href), load("pagefind/shards.json")]);
    // No penalty for long pages: the term tokens already rank the pages about a term first, and a
    // long case that discusses a term must not fall behind a short page naming it. No worker:
    // on a slow link its script is one more file (41 KB) and round trip before the first result,
    // and the searches it would take off the page are small.
    const options = { baseUrl: root.pathname, ranking: { pageLength: 0 }, noWorker: true };
    const bundle = new URL("pagefind/", root);
    await pf.options({ basePath: bundle.pathname, ...options });
    await pf.init();
    // A large library is indexed in shards (casebook.site.search_index); each is searched with
    // this bundle's WebAssembly and its results ranked together with the first one's.
    await Promise.all(shards.map((shard) => pf.mergeIndex(new URL(shard, bundle).pathname, options)));
    return {
      search: async (wanted) => {
        const answer = await pf.search(wanted.query);
        return { results: answer.results.map((r) => ({ key: r.id, data: r.data })) };
      },
    };
  }

  /* A page's Pagefind fragment, read directly (the quick index names it): gzip-compressed JSON
     after a signature. Browsers without DecompressionStream show the title only. */
  async function fragment(path) {
    if (!path || typeof DecompressionStream !== "function") return null;
    const response = await fetch(new URL(`pagefind/${path}.pf_fragment`, root));
    if (!response.ok) return null;
    const text = await new Response(response.body.pipeThrough(new DecompressionStream("gzip"))).text();
    return JSON.parse(text.slice(text.indexOf("{")));
  }

  /* The offline index as a full-text backend: a page must contain every part of the query, each
     term and each other word, as a substring (Chinese has no spaces to split words at). A term
     ranks as online, by its token: the page is about it, is filed under it, or mentions it
     (capped counts); another word ranks by where it is, in the title or in the text. */
  function offlineIndex(index) {
    const weights = index.weights;
    const pages = index.pages.map((page) => ({
      page, title: page.title.toLowerCase(), text: page.text.toLowerCase(),
      about: new Set(page.about), related: new Set(page.related),
    }));
    const byUrl = new Map(index.pages.map((page) => [page.url, page]));

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

    const data = (page) => ({ url: new URL(page.url, root).href, content: page.text, anchors: page.anchors,
                              meta: { title: page.title, kind: page.kind } });

    async function search(wanted, d) {
      const parts = wanted.found.map((f) => ({ form: f.toLowerCase(), token: d.terms.get(f) }));
      for (const word of wanted.words) parts.push({ form: word.toLowerCase(), token: null });
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
      return { results: hits.map(({ entry }) => ({ key: entry.page.url, data: async () => data(entry.page) })) };
    }

    return { search, text: (href) => (byUrl.has(href) ? data(byUrl.get(href)) : null) };
  }

  function prepare(data) {
    const pairs = Array.from(data.t2s);
    const t2s = new Map();
    for (let i = 0; i + 1 < pairs.length; i += 2) t2s.set(pairs[i], pairs[i + 1]);
    const terms = new Map(Object.entries(data.terms));
    const forms = new Map(Object.entries(data.terms).map(([f, token]) => [token, f]));
    const words = new Map(Object.entries(data.words));
    const longest = (keys) => Math.max(0, ...Array.from(keys, (k) => Array.from(k).length));
    return { t2s, terms, forms, words, longestTerm: longest(terms.keys()), longestWord: longest(words.keys()),
             glossary: data.glossary, kinds: data.kinds, quick: data.quick,
             tokens: new RegExp(data.token_pattern.replace(/\\b/g, ""), "g") };
  }

  /* The longest key of `table` at each position of `chars`: [matched or null, chars taken]… */
  function* longestMatches(chars, table, longest) {
    for (let i = 0; i < chars.length;) {
      let match = null;
      for (let n = Math.min(longest, chars.length - i); n >= 2 && !match; n--) {
        const piece = chars.slice(i, i + n).join("");
        if (table.has(piece)) match = piece;
      }
      yield match ? [match, Array.from(match).length] : [chars[i], 1, true];
      i += match ? Array.from(match).length : 1;
    }
  }

  /* The query as the indexes see it: simplified, quotes and spaces dropped, everyday words
     replaced by their forms; the terms found (forms), the other words, and Pagefind's query. */
  function translate(query, d) {
    const simplified = Array.from(query.replace(QUOTES, "").replace(/\s+/g, " ").trim())
      .map((c) => d.t2s.get(c) || c);
    let text = "";
    for (const [piece, , plain] of longestMatches(simplified, d.words, d.longestWord)) {
      text += plain ? piece : d.words.get(piece);
    }
    const found = [];
    const parts = [];
    let rest = "";
    for (const [piece, , plain] of longestMatches(Array.from(text), d.terms, d.longestTerm)) {
      if (plain) { rest += piece; continue; }
      if (!found.includes(piece)) found.push(piece);
      parts.push(rest, d.terms.get(piece));
      rest = "";
    }
    parts.push(rest);
    // The words that are not terms, without particles and punctuation; the excerpt marks these too.
    const words = parts.filter((w) => w && !d.forms.has(w)).join(" ").split(FILLER).filter(Boolean);
    return { query: parts.join(" ").replace(/\s+/g, " ").trim(), found, words };
  }

  /* The pages of the quick index for the query (casebook.site.quick_search): those with more of
     its terms first, then by points, which count the pairs of characters of its other words
     that the title holds too; a page with none of the terms needs half of those pairs. */
  async function quickSearch(wanted, d) {
    const q = d.quick;
    const tokens = wanted.found.map((f) => d.terms.get(f));
    const pairs = Array.from(new Set(wanted.words.flatMap((word) => {
      const chars = Array.from(word.toLowerCase());
      return chars.slice(1).map((c, i) => chars[i] + c);
    })));
    const bucket = (pair) => {
      const [a, b] = Array.from(pair, (c) => c.codePointAt(0));
      return (a * 31 + b) % q.titles;
    };
    const [postings, titles] = await Promise.all([
      Promise.all(tokens.map((t) => load(`${q.folder}${t.slice(0, q.bucket)}.json`))),
      Promise.all(pairs.map((pair) => load(`${q.folder}titles/${bucket(pair)}.json`))),
    ]);
    const found = new Map();
    const hit = (id) => {
      if (!found.has(id)) found.set(id, { id, terms: 0, pairs: 0, points: 0 });
      return found.get(id);
    };
    tokens.forEach((token, i) => {
      for (const [id, points] of postings[i][token] || []) {
        const h = hit(id);
        h.terms += 1;
        h.points += points;
      }
    });
    pairs.forEach((pair, i) => {
      for (const id of titles[i][pair] || []) {
        const h = hit(id);
        h.pairs += 1;
        h.points += q.pair_points;
      }
    });
    return Array.from(found.values())
      .filter((h) => h.terms || h.pairs * 2 >= pairs.length)
      .sort((a, b) => b.terms - a.terms || b.points - a.points || a.id - b.id);
  }

  async function quickPage(id, d) {
    const rows = await load(`${d.quick.folder}pages/${Math.floor(id / d.quick.chunk)}.json`);
    const [href, title, kind, path] = rows[id % d.quick.chunk];
    return { href, title, kind, fragment: path };
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
    try {
      const d = await dictionary();
      const wanted = translate(query, d);
      // Words that are no term need the full-text index: its files are on their way meanwhile.
      if (wanted.words.length) full().catch(() => {});
      const hits = wanted.found.length || wanted.words.length ? await quickSearch(wanted, d) : [];
      if (id !== latest) return;
      const current = { id, wanted, d, items: hits.map((hit) => ({ quick: hit })), shown: 0,
                        urls: new Set() };
      state = current;
      list.replaceChildren();
      if (hits.length) {
        status.textContent = `找到 ${hits.length} 个页面`;
        await showMore();
      }
      if (wanted.words.length || !hits.length) await addFullText(current);
      if (id !== latest) return;
      if (!current.items.length) status.textContent = `没有找到与“${query.trim()}”有关的页面。可以换个说法，或少输入几个字。`;
    } catch (error) {
      if (id === latest) status.textContent = "搜索索引没有加载成功，请检查网络后重试。";
      return;
    }
    list.dataset.query = query; // what the list shows, for people's tools and for tests
    list.setAttribute("aria-busy", "false");
    // Someone who searches may next search a word that is no term: the full-text index loads
    // now that this list is complete, not before (it would slow the first answer down).
    idle(() => full().catch(() => {}), { timeout: 5000 });
  }

  /* The full-text results after the quick ones. A page both gave shows once: its quick result
     is kept (see fill). */
  async function addFullText(current) {
    const backend = await full();
    const answer = await backend.search(current.wanted, current.d);
    if (current.id !== latest) return;
    for (const result of answer.results) current.items.push({ full: result });
    if (current.items.length) status.textContent = `找到 ${current.items.length} 个页面`;
    if (current.shown < BATCH) await showMore();
    else more.hidden = current.shown >= current.items.length;
  }

  async function showMore() {
    const current = state;
    if (!current) return;
    const batch = current.items.slice(current.shown, current.shown + BATCH);
    current.shown += batch.length;
    more.hidden = current.shown >= current.items.length;
    const slots = batch.map(() => {
      const item = document.createElement("li");
      item.className = "cb-search__result";
      item.hidden = true; // shown once its title is known, in the list's order
      list.append(item);
      return item;
    });
    // Titles first: every quick result's row, then its text as it arrives; a full-text result
    // shows when its page data arrives.
    const quick = await Promise.all(batch.map((item) => (item.quick ? quickPage(item.quick.id, current.d) : null)));
    if (current.id !== latest) return;
    quick.forEach((page, i) => { if (page) fill(slots[i], page, null, current); });
    let repeated = 0;
    await Promise.all(batch.map(async (item, i) => {
      const data = item.quick ? await text(quick[i]) : await item.full.data();
      if (current.id !== latest || !data) return;
      if (item.full && current.urls.has(new URL(data.url, root).href)) {
        slots[i].remove();
        repeated += 1;
      } else {
        fill(slots[i], quick[i], data, current);
      }
    }));
    // Pages the quick results had shown already: the batch is filled up from the next ones.
    if (repeated && current.id === latest && current.shown < current.items.length) await showMore();
  }

  async function text(page) {
    if (offline) return (await full()).text(page.href);
    return fragment(page.fragment).catch(() => null);
  }

  /* Write a result into its slot: from the quick index (`page`: href, title, kind), from the page
     data (`data`: url, content, anchors, meta), or both. */
  function fill(slot, page, data, current) {
    const { wanted, d } = current;
    const content = data ? data.content.replace(/\u200b/g, "").replace(d.tokens, "").replace(/\s+/g, " ").trim() : "";
    const kind = page ? page.kind : data.meta.kind || d.kinds.page;
    let href = page ? new URL(page.href, root).href : data.url;
    const pageTitle = page ? page.title : data.meta.title || data.url;
    let title = pageTitle;
    if (kind === d.kinds.glossary) {
      const entry = glossaryEntry(data, content, wanted, d);
      if (entry) {
        href = `${href.split("#")[0]}#${entry.id}`;
        title = `${pageTitle}：${entry.text}`;
      }
    }
    const link = document.createElement("a");
    link.href = href;
    const label = document.createElement("span");
    label.className = "cb-search__kind";
    label.textContent = kind;
    const name = document.createElement("span");
    name.className = "cb-search__title";
    name.textContent = title;
    link.append(label, name);
    current.urls.add(href.split("#")[0]);
    slot.replaceChildren(link);
    if (data) slot.append(excerpt(content, pageTitle, wanted));
    slot.hidden = false;
  }

  /* The glossary entry a result stands for: the term searched for, else the entry where the
     query first occurs in the page's text (when it has arrived). */
  function glossaryEntry(data, content, wanted, d) {
    for (const f of wanted.found) {
      const anchor = d.glossary[d.terms.get(f)];
      if (anchor) return { id: anchor, text: f };
    }
    if (!data) return null;
    const anchors = (data.anchors || []).filter((a) => a.element === "dt" && a.id && a.text);
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
    for (const candidate of [...wanted.found, ...wanted.words].filter(Boolean)) {
      const index = text.indexOf(candidate);
      if (index >= 0 && (at < 0 || index < at)) { at = index; needle = candidate; }
    }
    return { at, needle };
  }

  /* A line of the page around the first place the query occurs, with the match marked. */
  function excerpt(content, title, wanted) {
    // The text after the title (Pagefind joins blocks with ". ").
    const body = (content.startsWith(title) ? content.slice(title.length) : content).replace(/^[\s.。]+/, "");
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
    dictionary().catch(() => {});
    if (offline) full().catch(() => {}); // read from the folder: no network to spare
  }

  for (const button of openers) {
    button.hidden = false;
    button.addEventListener("click", () => { opener = button; open(); });
    // A finger on the button: the dictionary is on its way before the dialog opens.
    button.addEventListener("pointerdown", () => dictionary().catch(() => {}), { passive: true });
  }
  // The dictionary is what the first query needs: fetched when the page has nothing else to do.
  const preload = () => idle(() => dictionary().catch(() => {}), { timeout: 3000 });
  if (document.readyState === "complete") preload();
  else window.addEventListener("load", preload, { once: true });
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
    const first = list.querySelector(".cb-search__result:not([hidden]) a");
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
