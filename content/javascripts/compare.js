/* Compare page (compare/): shows the precomputed columns, rows and notes of the cases named in
 * the address (?cases=a,b) and keeps the address in step with the checkboxes, so a link or a
 * reload shows the same comparison. Every cell carries data-case; a row carries data-cases (the
 * cases that have it) inside a tbody whose data-rows says whether "all" or only "some" of the
 * chosen cases must have it; pair notes carry data-pair. Written for old phone browsers too:
 * no framework, no modules, nothing fetched. */
(function () {
  "use strict";
  var MIN = 2;
  var MAX = 4;
  var form = document.getElementById("compare-form");
  if (!form) {
    return;
  }
  var boxes = toArray(form.querySelectorAll('input[name="cases"]'));
  var known = boxes.map(function (box) { return box.value; });
  var status = document.getElementById("compare-status");

  function toArray(list) {
    return Array.prototype.slice.call(list);
  }

  function each(selector, action) {
    toArray(document.querySelectorAll(selector)).forEach(action);
  }

  function contains(list, item) {
    return list.indexOf(item) >= 0;
  }

  /* Case ids from ?cases=a,b (or ?cases=a&cases=b), known ones only, each once, in page order. */
  function fromAddress() {
    var asked = [];
    window.location.search.replace(/^\?/, "").split("&").forEach(function (pair) {
      var parts = pair.split("=");
      if (parts[0] === "cases" && parts.length > 1) {
        decodeURIComponent(parts[1].replace(/\+/g, " ")).split(",").forEach(function (id) {
          asked.push(id.trim());
        });
      }
    });
    return known.filter(function (id) { return contains(asked, id); }).slice(0, MAX);
  }

  function chosen() {
    return boxes.filter(function (box) { return box.checked; }).map(function (box) { return box.value; });
  }

  function address(ids) {
    var query = ids.length ? "?cases=" + ids.join(",") : "";
    return window.location.pathname + query + window.location.hash;
  }

  function show(ids) {
    var ready = ids.length >= MIN;
    each("[data-case]", function (el) {
      el.hidden = !(ready && contains(ids, el.getAttribute("data-case")));
    });
    each("[data-pair]", function (el) {
      var pair = el.getAttribute("data-pair").split(" ");
      el.hidden = !(ready && contains(ids, pair[0]) && contains(ids, pair[1]));
    });
    each("tbody", function (body) {
      var rule = body.getAttribute("data-rows");
      var shown = 0;
      toArray(body.querySelectorAll("tr[data-cases]")).forEach(function (row) {
        var has = row.getAttribute("data-cases").split(" ");
        var count = ids.filter(function (id) { return contains(has, id); }).length;
        var wanted = rule === "all" ? count === ids.length : count > 0 && count < ids.length;
        row.hidden = !(ready && wanted);
        shown += row.hidden ? 0 : 1;
      });
      var empty = body.querySelector(".cb-compare__empty");
      if (empty) {
        var none = empty.getAttribute("data-none");
        empty.hidden = ready && (shown > 0 || !none);
        empty.cells[0].textContent = ready ? none : "请先在上方选择 " + MIN + "–" + MAX + " 个案例。";
      }
      var name = body.getAttribute("data-name");
      if (name) {
        each('[data-count="' + name + '"]', function (el) { el.textContent = String(shown); });
      }
    });
    boxes.forEach(function (box) {
      box.disabled = !box.checked && ids.length >= MAX;
    });
    var titles = boxes.filter(function (box) { return box.checked; }).map(function (box) {
      return box.parentNode.textContent.trim();
    });
    document.getElementById("compare-selected").textContent = titles.join("；");
    document.getElementById("compare-url").textContent = window.location.href;
    if (ids.length < MIN) {
      status.textContent = "已选 " + ids.length + " 个案例，请再选 " + (MIN - ids.length) + " 个。";
    } else if (ids.length >= MAX) {
      status.textContent = "已选 " + ids.length + " 个案例（最多 " + MAX + " 个）；要换案例，请先取消一个。";
    } else {
      status.textContent = "已选 " + ids.length + " 个案例。";
    }
  }

  function update() {
    var ids = chosen();
    window.history.replaceState(null, "", address(ids));
    show(ids);
  }

  var ids = fromAddress();
  boxes.forEach(function (box) { box.checked = contains(ids, box.value); });
  form.hidden = false;
  if (window.location.search && address(ids) !== window.location.pathname + window.location.search + window.location.hash) {
    window.history.replaceState(null, "", address(ids)); /* drop unknown or surplus ids */
  }
  show(ids);
  form.addEventListener("change", update);
}());
