/* Compare page (compare/): loads the parts of the cases named in the address (?cases=a,b), one
 * small file each (compare/cases/<id>.json), and fills the page's tables from them; keeps the
 * address in step with the checkboxes, so a link or a reload shows the same comparison.
 * How two cases' values of an indicator compare is graded here by the rules of
 * casebook.library.compare.grade, from the facets and caveats each value carries. The figures
 * can be downloaded as CSV or as an Excel workbook, or printed as one A4 sheet.
 * Written for old phone browsers too: no framework, no modules. When done, the form carries
 * data-state="ready". */
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
  var order = JSON.parse(document.getElementById("compare-order").textContent);
  var parts = {}; /* case id → promise of its parsed part */
  var shown = 0; /* the latest request, so a slow answer never overwrites a newer one */

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
      var bits = pair.split("=");
      if (bits[0] === "cases" && bits.length > 1) {
        decodeURIComponent(bits[1].replace(/\+/g, " ")).split(",").forEach(function (id) {
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

  function part(id) {
    if (!parts[id]) {
      /* javascripts/data.js: fetched online, from its script twin in the offline copy */
      parts[id] = window.casebookData.load("cases/" + encodeURIComponent(id) + ".json")
        .then(function (data) {
          var holder = document.createElement("template");
          holder.innerHTML = data.html; /* rendered and escaped by the site's own templates */
          var root = holder.content.firstElementChild;
          var rows = function (attribute) {
            var found = {};
            toArray(root.querySelectorAll("tr[" + attribute + "]")).forEach(function (row) {
              found[row.getAttribute(attribute)] = row;
            });
            return found;
          };
          return { id: id, who: root.getAttribute("data-who"), title: root.getAttribute("data-title"),
                   fields: rows("data-row"), practices: rows("data-practice"),
                   indicators: rows("data-indicator"), outcomes: root.querySelector(".cb-compare__column") };
        });
      parts[id].catch(function () { delete parts[id]; });
    }
    return parts[id];
  }

  function cell(tag, content, id) {
    var el = document.createElement(tag);
    if (id) {
      el.setAttribute("data-case", id);
    }
    if (content) {
      toArray(content.childNodes).forEach(function (node) { el.appendChild(node.cloneNode(true)); });
    } else {
      el.textContent = "—";
    }
    return el;
  }

  function header(table, cases) {
    var row = table.querySelector("thead tr");
    toArray(row.querySelectorAll("th[data-case]")).forEach(function (th) { th.remove(); });
    var last = row.querySelector(".cb-compare__last");
    cases.forEach(function (c) {
      var th = document.createElement("th");
      th.setAttribute("scope", "col");
      th.setAttribute("data-case", c.id);
      th.textContent = c.who;
      row.insertBefore(th, last);
    });
  }

  function clear(body) {
    toArray(body.querySelectorAll("tr[data-cases]")).forEach(function (row) { row.remove(); });
    toArray(body.querySelectorAll("td[data-case]")).forEach(function (td) { td.remove(); });
  }

  function values(row) {
    return toArray(row.querySelectorAll("[data-grading]")).map(function (el) {
      var grading = JSON.parse(el.getAttribute("data-grading"));
      return { facets: grading.facets, caveats: grading.caveats,
               original: el.getAttribute("data-original") };
    });
  }

  var RANK = { "可直接比较": 0, "可参照": 1, "不可比较": 2 };
  var INFERRED = "的年份按发布日期推定", INFERRED_BOTH = "两者的年份都按发布日期推定";

  function same(x, y) { return JSON.stringify(x) === JSON.stringify(y); }

  /* A facet is [name, key, label, blocking, years]. */
  function difference(x, y) {
    var text = x[0] + "不同：" + x[2] + " vs " + y[2];
    if (x[4] && x[1] !== null && y[1] !== null) {
      text += "（相差" + Math.abs(parseInt(x[1], 10) - parseInt(y[1], 10)) + "年）";
    }
    if ((x[3] || y[3]) && x[0] === "范围层级") {
      text += "，总数主要反映地区大小";
    }
    return text;
  }

  /* The rules of casebook.library.compare.grade, applied to the facets it wrote. */
  function grade(a, whoA, b, whoB) {
    var blocking = [], stated = [];
    for (var k = 0; k < a.facets.length; k++) {
      var x = a.facets[k], y = b.facets[k];
      if (!same(x[1], y[1])) {
        (x[3] || y[3] ? blocking : stated).push(difference(x, y));
      }
    }
    if (blocking.length) {
      return { grade: "不可比较", differences: blocking };
    }
    a.caveats.forEach(function (c) {
      var shared = b.caveats.indexOf(c) >= 0;
      stated.push(shared ? (c === INFERRED ? INFERRED_BOTH : "两者" + c) : whoA + c);
    });
    b.caveats.forEach(function (c) {
      if (a.caveats.indexOf(c) < 0) { stated.push(whoB + c); }
    });
    return { grade: stated.length ? "可参照" : "可直接比较", differences: stated };
  }

  /* The best-graded pair of the two cases' values (then the fewest differences). */
  function pairGrade(first, whoA, second, whoB) {
    var best = null;
    for (var i = 0; i < first.length; i++) {
      for (var j = 0; j < second.length; j++) {
        var found = grade(first[i], whoA, second[j], whoB);
        if (!best || RANK[found.grade] < RANK[best.grade] ||
            (RANK[found.grade] === RANK[best.grade] && found.differences.length < best.differences.length)) {
          best = found;
        }
      }
    }
    return best;
  }

  function pairNote(found) {
    return found.grade + (found.differences.length ? "：" + found.differences.join("；") : "");
  }

  function practiceRows(body, cases, wanted) {
    order.practices.forEach(function (pid) {
      var has = cases.filter(function (c) { return c.practices[pid]; });
      if (!wanted(has.length)) {
        return;
      }
      var source = has[0].practices[pid];
      var row = document.createElement("tr");
      row.setAttribute("data-cases", has.map(function (c) { return c.id; }).join(" "));
      row.appendChild(cell("th", source.querySelector("th")));
      row.firstChild.setAttribute("scope", "row");
      cases.forEach(function (c) {
        row.appendChild(cell("td", c.practices[pid] && c.practices[pid].querySelector("td"), c.id));
      });
      body.insertBefore(row, body.querySelector(".cb-compare__empty"));
    });
  }

  /* Indicators every chosen case reports, those whose values can be set side by side first:
   * ordered by the worst grade among the pairs, then in vocabulary order. */
  function indicatorRows(body, cases) {
    var rows = [];
    order.indicators.forEach(function (iid, position) {
      if (!cases.every(function (c) { return c.indicators[iid]; })) {
        return;
      }
      var row = document.createElement("tr");
      row.setAttribute("data-cases", cases.map(function (c) { return c.id; }).join(" "));
      row.appendChild(cell("th", cases[0].indicators[iid].querySelector("th")));
      row.firstChild.setAttribute("scope", "row");
      cases.forEach(function (c) {
        row.appendChild(cell("td", c.indicators[iid].querySelector("td"), c.id));
      });
      var notes = document.createElement("ul"), worst = 0;
      notes.className = "cb-compare__pairs";
      for (var i = 0; i < cases.length; i++) {
        for (var j = i + 1; j < cases.length; j++) {
          var found = pairGrade(values(cases[i].indicators[iid]), cases[i].who,
                                values(cases[j].indicators[iid]), cases[j].who);
          worst = Math.max(worst, RANK[found.grade]);
          var li = document.createElement("li");
          li.setAttribute("data-grade", found.grade);
          li.textContent = (cases.length > 2 ? cases[i].who + "—" + cases[j].who + "：" : "") + pairNote(found);
          notes.appendChild(li);
        }
      }
      row.setAttribute("data-grade", Object.keys(RANK)[worst]);
      var last = cell("td", cases[0].indicators[iid].querySelector("td:last-child"));
      last.setAttribute("data-label", "可比性");
      last.insertBefore(notes, last.firstChild);
      row.appendChild(last);
      rows.push({ row: row, worst: worst, position: position, sheet: sheetRow(iid, cases, notes) });
    });
    rows.sort(function (a, b) { return a.worst - b.worst || a.position - b.position; });
    rows.forEach(function (r) { body.insertBefore(r.row, body.querySelector(".cb-compare__empty")); });
    sheet = { cases: cases, rows: rows.map(function (r) { return r.sheet; }) };
  }

  /* One indicator as the downloads and the printed sheet give it. */
  function sheetRow(iid, cases, notes) {
    var th = cases[0].indicators[iid].querySelector("th");
    return {
      indicator: th.textContent.trim(),
      cases: cases.map(function (c) {
        var spans = toArray(c.indicators[iid].querySelectorAll("[data-grading]"));
        return spans.map(function (el) {
          return { value: Number(el.getAttribute("data-value")), figure: el.getAttribute("data-figure"),
                   original: el.getAttribute("data-original"), scope: el.getAttribute("data-scope"),
                   when: el.getAttribute("data-when") };
        });
      }),
      grades: toArray(notes.children).map(function (li) { return li.textContent; })
    };
  }

  var sheet = null; /* the figures of the comparison on show, for the downloads and the print */
  var script = document.currentScript && document.currentScript.src;

  function sheetHeader() {
    var cells = ["指标"];
    sheet.cases.forEach(function (c) { cells.push(c.who + "：数值", c.who + "：原文、范围和时间"); });
    return cells.concat(["可比程度与差别"]);
  }

  /* Rows of the sheet: a number where a case reports one value, else the figures as text. */
  function sheetTable() {
    return sheet.rows.map(function (r) {
      var cells = [r.indicator];
      r.cases.forEach(function (values) {
        cells.push(values.length === 1 ? values[0].value : values.map(function (v) { return v.figure; }).join("；"));
        cells.push(values.map(function (v) { return v.original + "（" + v.scope + "，" + v.when + "）"; }).join("；"));
      });
      return cells.concat([r.grades.join("\n")]);
    });
  }

  function fileName(extension) {
    return "案例对比-" + sheet.cases.map(function (c) { return c.who; }).join("-") + "." + extension;
  }

  function save(blob, name) {
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = name;
    document.body.appendChild(link);
    link.click();
    setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
  }

  /* Quoted as RFC 4180; text a spreadsheet would run as a formula gets a leading ' (as the
   * site's own CSV downloads). UTF-8 with a BOM, so Excel and WPS read the Chinese. */
  function csv() {
    var lines = [sheetHeader()].concat(sheetTable()).map(function (cells) {
      return cells.map(function (cell) {
        var text = String(cell);
        if (typeof cell !== "number" && /^[=+\-@]/.test(text)) {
          text = "'" + text;
        }
        return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
      }).join(",");
    });
    save(new Blob(["\ufeff" + lines.join("\r\n") + "\r\n"], { type: "text/csv;charset=utf-8" }), fileName("csv"));
  }

  /* The workbook writer is the site's own copy (javascripts/vendor/), loaded when first asked. */
  function workbookWriter() {
    if (window.writeXlsxFile) {
      return Promise.resolve(window.writeXlsxFile);
    }
    return new Promise(function (resolve, reject) {
      var tag = document.createElement("script");
      tag.src = new URL("vendor/write-excel-file.min.js", script).href;
      tag.onload = function () { resolve(window.writeXlsxFile); };
      tag.onerror = reject;
      document.head.appendChild(tag);
    });
  }

  function xlsx() {
    var rows = [sheetHeader().map(function (text) { return { value: text, fontWeight: "bold" }; })];
    rows = rows.concat(sheetTable().map(function (cells) {
      return cells.map(function (cell) { return typeof cell === "number" ? { value: cell, type: Number } : { value: cell, wrap: true }; });
    }));
    return workbookWriter().then(function (write) {
      return write(rows, { columns: sheetHeader().map(function (_, i) { return { width: i === 0 ? 28 : 24 }; }) }).toBlob();
    }).then(function (blob) { save(blob, fileName("xlsx")); }, function () {
      status.textContent = "Excel 文件没有生成：本页的表格程序没有载入，请刷新后再试，或下载 CSV。";
    });
  }

  /* One A4 page to hand out: the cases, and each figure with how it compares. */
  function fillSheet() {
    var holder = document.getElementById("compare-sheet");
    if (holder.parentNode !== document.body) {
      document.body.appendChild(holder); /* printed alone: everything else in the body is hidden */
    }
    holder.textContent = "";
    if (!sheet) {
      return;
    }
    var title = document.createElement("h2");
    title.textContent = "案例对比：" + sheet.cases.map(function (c) { return c.who + "（" + c.title + "）"; }).join("；");
    var where = document.createElement("p");
    where.textContent = "乡村振兴党建案例库 · " + window.location.href;
    var grid = document.createElement("table");
    var head = grid.createTHead().insertRow();
    sheetHeader().forEach(function (text) { var th = document.createElement("th"); th.textContent = text; head.appendChild(th); });
    var body = grid.createTBody();
    sheet.rows.forEach(function (r) {
      var row = body.insertRow();
      row.insertCell().textContent = r.indicator;
      r.cases.forEach(function (values) {
        row.insertCell().textContent = values.map(function (v) { return v.figure; }).join("；");
        row.insertCell().textContent = values.map(function (v) { return v.original + "（" + v.scope + "，" + v.when + "）"; }).join("；");
      });
      row.insertCell().textContent = r.grades.join("；");
    });
    var note = document.createElement("p");
    note.textContent = "可直接比较：各方面相同；可参照：类型和统计方式相同，差别已写明；不可比较：类型、统计方式或总数的范围层级不同。时间带 * 的按发布日期推定。";
    holder.appendChild(title);
    holder.appendChild(where);
    holder.appendChild(grid);
    holder.appendChild(note);
  }

  function printSheet() {
    fillSheet();
    document.documentElement.classList.add("cb-print-sheet");
    window.print();
  }
  window.addEventListener("afterprint", function () { document.documentElement.classList.remove("cb-print-sheet"); });

  var tools = document.getElementById("compare-tools");
  tools.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button || !sheet) {
      return;
    }
    if (button.hasAttribute("data-sheet")) {
      printSheet();
    } else if (button.getAttribute("data-download") === "csv") {
      csv();
    } else {
      xlsx();
    }
  });

  function fill(cases) {
    var ready = cases.length >= MIN;
    sheet = null;
    tools.hidden = true;
    each(".cb-compare table", function (table) { header(table, ready ? cases : []); });
    each("tbody[data-name]", function (body) {
      clear(body);
      if (!ready) {
        return;
      }
      var name = body.getAttribute("data-name");
      if (name === "fields") {
        toArray(body.querySelectorAll("tr[data-row]")).forEach(function (row) {
          cases.forEach(function (c) {
            row.appendChild(cell("td", c.fields[row.getAttribute("data-row")].querySelector("td"), c.id));
          });
        });
      } else if (name === "indicators") {
        indicatorRows(body, cases);
      } else {
        practiceRows(body, cases, name === "shared"
          ? function (n) { return n === cases.length; }
          : function (n) { return n > 0 && n < cases.length; });
      }
    });
    var outcomes = document.getElementById("compare-outcomes");
    outcomes.textContent = "";
    if (ready) {
      cases.forEach(function (c) { outcomes.appendChild(c.outcomes.cloneNode(true)); });
    }
    each("tbody[data-name]", function (body) {
      var count = body.querySelectorAll("tr[data-cases]").length;
      toArray(body.querySelectorAll("tr[data-row]")).forEach(function (row) { row.hidden = !ready; });
      var empty = body.querySelector(".cb-compare__empty");
      if (empty) {
        var none = empty.getAttribute("data-none");
        empty.hidden = ready && (count > 0 || !none);
        empty.cells[0].textContent = ready ? none : "请先在上方选择 " + MIN + "–" + MAX + " 个案例。";
      }
      each('[data-count="' + body.getAttribute("data-name") + '"]', function (el) { el.textContent = String(count); });
    });
    tools.hidden = !(ready && sheet && sheet.rows.length);
    /* On a phone each row is a card (comparison.css): every cell names its case. */
    each(".cb-compare table", function (table) {
      var names = {};
      toArray(table.querySelectorAll("thead th[data-case]")).forEach(function (th) {
        names[th.getAttribute("data-case")] = th.textContent;
      });
      toArray(table.querySelectorAll("td[data-case]")).forEach(function (td) {
        td.setAttribute("data-label", names[td.getAttribute("data-case")] || "");
      });
    });
  }

  function show(ids) {
    var request = ++shown;
    form.removeAttribute("data-state");
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
    var message = status.textContent;
    if (ids.length >= MIN) {
      status.textContent = message + "正在载入……";
    }
    Promise.all(ids.map(part)).then(function (cases) {
      if (request !== shown) {
        return;
      }
      fill(ids.length >= MIN ? cases : []);
      status.textContent = message;
      form.setAttribute("data-state", "ready");
    }, function () {
      if (request === shown) {
        status.textContent = "所选案例的数据没有载入，请检查网络后重新选择。";
        form.setAttribute("data-state", "failed");
      }
    });
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
