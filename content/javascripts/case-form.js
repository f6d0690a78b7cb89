/* The case form (contribute/, made by casebook.contribute.case_form).
 *
 * Builds the fields from contribute/form.json (the case schema's fields with their Chinese titles,
 * help and examples, the vocabularies, the validator's message catalogue and the Excel template's
 * layout), checks what is typed with the same JSON Schema (Ajv, javascripts/vendor/ajv7.min.js)
 * and says it in the same words as `casebook validate`, keeps a draft in localStorage, and writes
 * the case as a YAML file (js-yaml), as the filled Excel template (write-excel-file, loaded when
 * first asked) and, when the site names a code host, as a prefilled "new file" link.
 * Nothing is sent anywhere: every file is made in the page.
 *
 * window.casebookForm.checkText(yaml) gives the problems the form finds in a YAML file, as the
 * tests compare them with the validator's.
 */
(function () {
  "use strict";
  var root = document.getElementById("case-form");
  if (!root || !window.casebookData) {
    return;
  }
  var STORE = "casebook.case-form.v1";
  var script = document.currentScript.src;
  var status = document.getElementById("case-form-status");
  var form = document.getElementById("case-form-fields");
  var data = null;
  var fieldsByPath = {};
  var draft = {};
  var addedRegions = [];
  var touched = {};
  var showAll = false;
  var validator = null;
  var problems = [];
  var divisions = null;
  var timer = null;

  /* ---- the catalogue and names ---------------------------------------------------------- */

  function text(entry) {
    return entry.split(".").reduce(function (node, part) { return node[part]; }, data.messages);
  }

  function say(entry, values) {
    return String(text(entry)).replace(/\{(\w+)\}/g, function (_, name) { return String(values[name]); });
  }

  function fieldName(parts) {
    return parts.reduce(function (name, part) {
      return typeof part === "number" ? name + "[" + part + "]" : (name ? name + "." + part : part);
    }, "");
  }

  /* The form field that describes the value at `parts`; a list's scalar item is its list's. */
  function fieldOf(parts) {
    var path = parts.map(function (p) { return typeof p === "number" ? "[]" : "." + p; }).join("").replace(/^\./, "");
    path = path.replace(/\.\[\]/g, "[]");
    if (fieldsByPath[path]) {
      return fieldsByPath[path];
    }
    return typeof parts[parts.length - 1] === "number" ? fieldsByPath[path.replace(/\[\]$/, "")] || null : null;
  }

  function childrenOf(parent) {
    return data.fields.filter(function (f) {
      var head = f.path.replace(/\[\]$/, "");
      var cut = head.lastIndexOf(".");
      return (cut < 0 ? "" : head.slice(0, cut)) === parent;
    });
  }

  /* Python's repr() of a value, as the validator's messages show it. */
  function repr(value) {
    if (typeof value !== "string") {
      return showNumber(value);
    }
    var quote = value.indexOf("'") >= 0 && value.indexOf('"') < 0 ? '"' : "'";
    var body = value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\t/g, "\\t");
    return quote + (quote === "'" ? body.replace(/'/g, "\\'") : body) + quote;
  }

  function showNumber(value) {
    if (typeof value === "boolean") {
      return value ? "True" : "False";
    }
    if (value === Infinity || value === -Infinity) {
      return (value < 0 ? "-" : "") + "inf";
    }
    return String(value);
  }

  function shown(value) {
    if (Array.isArray(value)) {
      return text("values.list");
    }
    if (value === null || value === undefined) {
      return text("values.null");
    }
    if (typeof value === "object") {
      return text("values.mapping");
    }
    if (typeof value === "string" && Array.from(value).length > 40) {
      return say("values.cut", { start: repr(Array.from(value).slice(0, 40).join("")), length: Array.from(value).length });
    }
    return repr(value);
  }

  function label(parts) {
    var f = parts.length ? fieldOf(parts) : null;
    var last = parts[parts.length - 1];
    var title = f && typeof last !== "number" ? f.title : "";
    return title ? say("schema.label", { field: fieldName(parts), title: title }) : fieldName(parts);
  }

  function similarity(a, b) {
    var rows = [];
    for (var i = 0; i <= a.length; i++) {
      rows.push([i]);
    }
    for (var j = 1; j <= b.length; j++) {
      rows[0][j] = j;
    }
    for (i = 1; i <= a.length; i++) {
      for (j = 1; j <= b.length; j++) {
        rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      }
    }
    return 1 - rows[a.length][b.length] / Math.max(a.length, b.length, 1);
  }

  function closest(value, options) {
    var best = null;
    var score = 0.6;
    options.forEach(function (option) {
      var s = similarity(String(value), option);
      if (s >= score) {
        best = option;
        score = s;
      }
    });
    return best;
  }

  /* ---- the rules ------------------------------------------------------------------------ */

  function problem(parts, message, hint, code, severity) {
    return { field: fieldName(parts), parts: parts, message: message, hint: hint || "", code: code, severity: severity || "error" };
  }

  function pathOf(pointer) {
    return pointer.split("/").slice(1).map(function (part) {
      part = part.replace(/~1/g, "/").replace(/~0/g, "~");
      return /^\d+$/.test(part) ? Number(part) : part;
    });
  }

  function describe(f) {
    return f ? f.description || "" : "";
  }

  /* One Ajv error in the validator's words (casebook.records.validate._schema_problem). */
  function schemaProblems(error) {
    var parts = pathOf(error.instancePath);
    var f = fieldOf(parts);
    var value = error.data;
    var rule = error.keyword;
    if (rule === "const" || (rule === "enum" && /\/oneOf\//.test(error.schemaPath))) {
      return []; /* the oneOf that holds it is reported instead, as jsonschema does */
    }
    if (rule === "additionalProperties") {
      var extra = error.params.additionalProperty;
      var allowed = Object.keys(error.parentSchema.properties || {}).sort();
      var close = closest(extra, allowed);
      return [problem(parts.concat([extra]), say("schema.unknown_field", { key: extra }),
        close ? say("schema.did_you_mean", { value: close }) : say("schema.fields_here", { fields: allowed.join("、") }),
        "unknown-field")];
    }
    if (rule === "required") {
      var sub = parts.concat([error.params.missingProperty]);
      return [problem(sub, say("schema.required", { label: label(sub) }), describe(fieldOf(sub)) || describe(f), "required")];
    }
    if (rule === "oneOf" && f && f.choices.length) {
      var options = f.choices.map(function (c) { return c[1] ? say("schema.choice_option", { value: c[0], title: c[1] }) : c[0]; }).join("、");
      var near = closest(value, f.choices.map(function (c) { return c[0]; }));
      return [problem(parts, say("schema.choice", { label: label(parts), options: options, value: repr(value) }),
        near ? say("schema.did_you_mean", { value: near }) : describe(f), "choice")];
    }
    var limit = error.schema;
    var explanation;
    if (rule === "type") {
      var wanted = (Array.isArray(limit) ? limit : [limit]).map(function (t) { return text("types")[t] || t; });
      explanation = say("schema.type", { wanted: wanted.join(text("schema.type_or")), shown: shown(value) });
    } else if (rule === "pattern") {
      var which = limit.indexOf("[a-z]") >= 0 ? "schema.pattern_id" : limit.indexOf("[0-9]{4}") >= 0 ? "schema.pattern_date" : "schema.pattern";
      explanation = say(which, { value: repr(value) });
    } else if (rule === "minLength" || rule === "maxLength") {
      explanation = say("schema." + rule, { limit: limit, length: Array.from(String(value)).length });
    } else if (rule === "minimum" || rule === "maximum") {
      explanation = say("schema." + rule, { limit: showNumber(limit), value: showNumber(value) });
    } else if (rule === "minItems") {
      explanation = limit > 1 ? say("schema.minItems", { limit: limit }) : text("schema.minItems_one");
    } else if (rule === "uniqueItems") {
      explanation = text("schema.uniqueItems");
    } else {
      explanation = say("schema.other", { detail: error.message });
    }
    return [problem(parts, say("schema.rule", { label: label(parts) || text("schema.whole_file"), explanation: explanation }),
      describe(f), "schema-" + rule)];
  }

  var CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?:[^\ud800-\udbff]|^)[\udc00-\udfff]|\r(?!\n)/;
  var BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
  var INVISIBLE = /[\u200b-\u200d\u2060-\u2064\ufeff]/;
  var PRIVATE = /[\ue000-\uf8ff]|[\udb80-\udbff][\udc00-\udfff]/;

  function classOf(ch) {
    if (BIDI.test(ch)) { return "bidi"; }
    if (INVISIBLE.test(ch)) { return "invisible"; }
    if (PRIVATE.test(ch)) { return "private"; }
    return "control";
  }

  function describeChar(ch) {
    var code = ch.codePointAt(0);
    var names = text("characters.names");
    var name = names[String(code)] || (code >= 0xd800 && code <= 0xdfff ? text("characters.surrogate") :
      code < 0x20 ? text("characters.c0") : code >= 0x80 && code <= 0x9f ? text("characters.c1") : text("characters.private_name"));
    return "U+" + code.toString(16).toUpperCase().padStart(4, "0") + " " + name;
  }

  /* Characters a record may not hold (casebook.records.characters), field by field. */
  function characterProblems(value, parts, found) {
    if (Array.isArray(value)) {
      value.forEach(function (item, i) { characterProblems(item, parts.concat([i]), found); });
      return found;
    }
    if (value && typeof value === "object") {
      Object.keys(value).forEach(function (key) { characterProblems(value[key], parts.concat([key]), found); });
      return found;
    }
    if (typeof value !== "string") {
      return found;
    }
    var key = parts.filter(function (p) { return typeof p === "string"; }).pop() || "";
    var f = fieldOf(parts);
    var naming = !parts.length || text("characters.naming_fields").indexOf(key) >= 0 || Boolean(f && f.pattern);
    var kinds = {};
    var order = [];
    Array.from(value).forEach(function (ch, i, all) {
      var probe = ch === "\r" && all[i + 1] === "\n" ? "" : ch;
      if (!probe || !(CONTROL.test(probe) || BIDI.test(probe) || INVISIBLE.test(probe) || PRIVATE.test(probe))) {
        return;
      }
      var what = classOf(probe);
      if (!kinds[what]) {
        kinds[what] = { chars: [], count: 0 };
        order.push(what);
      }
      if (kinds[what].chars.indexOf(probe) < 0) {
        kinds[what].chars.push(probe);
      }
      kinds[what].count += 1;
    });
    order.forEach(function (what) {
      var named = kinds[what].chars.map(describeChar).join("、");
      var times = kinds[what].count > 1 ? say("characters.times", { count: kinds[what].count }) : "";
      var where = fieldName(parts) || text("schema.whole_file");
      var hints = text("characters.hints");
      if (what === "control" || what === "bidi") {
        found.push(problem(parts, say("characters." + what, { label: where, named: named, times: times }), hints[what], "character-" + what));
      } else {
        var kind = text(what === "private" ? "characters.kind_private" : "characters.kind_invisible");
        found.push(problem(parts, say("characters.other", { label: where, kind: kind, named: named, times: times }),
          what === "private" ? hints.private : hints[naming ? "naming" : "prose"], "character-" + what, naming ? "error" : "warning"));
      }
    });
    return found;
  }

  function vocabulary(kind) {
    var listed = data.vocabularies[kind] || [];
    return kind === "regions" ? listed.concat(addedRegions) : listed;
  }

  function byId(kind, id) {
    return vocabulary(kind).filter(function (entry) { return entry.id === id; })[0] || null;
  }

  var REFERENCES = [["place.region", "regions"], ["time.periods[]", "periods"], ["themes[]", "themes"], ["related_cases[]", "case"],
    ["practices[].practice", "practices"], ["indicators[].indicator", "indicators"]];

  /* Rules that need the vocabularies: references, an indicator's unit and range (library/link.py). */
  function libraryProblems(record) {
    var found = [];
    function check(parts, kind, ref) {
      if (typeof ref !== "string" || !/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(ref) || byId(kind, ref)) {
        return;
      }
      found.push(problem(parts, say("references.missing", { field: fieldName(parts), kind: text("references.kinds")[kind], ref: ref }),
        kind === "regions" ? "这个地区还不在地区词表里：请在下面的“地区不在列表中？”里按名称查找，本页会按 GB/T 2260 填好它和它的上级。" : "", "reference"));
    }
    if (!record || typeof record !== "object" || Array.isArray(record)) {
      return found;
    }
    REFERENCES.forEach(function (pair) {
      var spec = pair[0].split(".");
      var walk = function (node, i, parts) {
        if (node === undefined || node === null) { return; }
        if (i === spec.length) { check(parts, pair[1], node); return; }
        var part = spec[i];
        var list = /\[\]$/.test(part);
        var key = part.replace(/\[\]$/, "");
        var next = node[key];
        if (list) {
          if (Array.isArray(next)) { next.forEach(function (item, n) { walk(item, i + 1, parts.concat([key, n])); }); }
        } else {
          walk(next, i + 1, parts.concat([key]));
        }
      };
      walk(record, 0, []);
    });
    (Array.isArray(record.indicators) ? record.indicators : []).forEach(function (value, i) {
      var indicator = value && byId("indicators", value.indicator);
      if (!indicator) { return; }
      if (typeof value.unit === "string" && value.unit !== indicator.unit) {
        found.push(problem(["indicators", i, "unit"], say("numbers.unit", { index: i, unit: value.unit, indicator: indicator.id, name: indicator.name, wanted: indicator.unit }),
          text("numbers.unit_hint"), "unit"));
      }
      var low = "minimum" in indicator ? indicator.minimum : indicator.unit === "%" ? 0 : null;
      var high = "maximum" in indicator ? indicator.maximum : indicator.unit === "%" ? 100 : null;
      ["value", "value_max"].forEach(function (key) {
        var number = value[key];
        if (typeof number !== "number") { return; }
        if ((low !== null && number < low) || (high !== null && number > high)) {
          found.push(problem(["indicators", i, key], say("numbers.range", { index: i, key: key, number: showNumber(number), unit: value.unit,
            indicator: indicator.id, span: (low === null ? "" : low) + " 到 " + (high === null ? "" : high) }), text("numbers.range_hint"), "range"));
        }
      });
    });
    return found;
  }

  /* Every problem the form can find in a record; `floats` are integers written with a point. */
  function checkRecord(record, floats) {
    var found = [];
    if (!validator(record)) {
      validator.errors.forEach(function (error) { found = found.concat(schemaProblems(error)); });
    }
    (floats || []).forEach(function (entry) {
      var f = fieldOf(entry.parts);
      if (f && f.type === "integer") {
        found.push(problem(entry.parts, say("numbers.integer", { label: label(entry.parts), value: entry.text }),
          say("numbers.integer_hint", { whole: Math.trunc(Number(entry.text)) }), "integer"));
      }
    });
    /* As the validator links only records that pass the schema, a field the schema refuses
       gets no second message about its value from the vocabularies. */
    var refused = {};
    found.forEach(function (p) { refused[p.field] = true; });
    found = found.concat(characterProblems(record, [], []), libraryProblems(record).filter(function (p) { return !refused[p.field]; }));
    var seen = {};
    return found.filter(function (p) {
      var key = p.field + "\u0000" + p.message;
      if (seen[key]) { return false; }
      seen[key] = true;
      return true;
    });
  }

  /* ---- a YAML file, read as strictly as casebook.records.load ---------------------------- */

  function position(source, offset) {
    var before = source.slice(0, offset).split("\n");
    return { line: before.length, column: before[before.length - 1].length + 1 };
  }

  function fileProblem(message, hint, code, where) {
    var p = problem([], message, hint, code);
    p.line = where ? where.line : 1;
    p.column = where ? where.column : 1;
    return p;
  }

  /* { record, problems, floats } for the text of a YAML file. */
  function readYaml(source) {
    source = source.replace(/^\ufeff/, "");
    if (!source.trim()) {
      return { problems: [fileProblem(text("load.empty"), text("load.empty_hint"), "empty")] };
    }
    if (source.split("\n").every(function (line) { return !line.trim() || /^\s*#/.test(line); })) {
      return { problems: [fileProblem(text("load.only_comments"), text("load.empty_hint"), "empty")] };
    }
    var lines = source.split("\n");
    for (var n = 0; n < lines.length; n++) {
      if (/^[ ]*\t/.test(lines[n])) {
        return { problems: [fileProblem(text("load.tab"), text("load.tab_hint"), "tab", { line: n + 1, column: 1 })] };
      }
    }
    var floats = [];
    var stack = []; /* {kind: "map"|"seq", parts, key, keys, index} */
    var documents = 0;
    try {
      for (var event of window.jsyaml.parseEvents(source)) {
        var at = event.anchorStart >= 0 ? event.anchorStart : event.tagStart >= 0 ? event.tagStart : event.valueStart >= 0 ? event.valueStart : event.start;
        if (event.type === 1) {
          documents += 1;
          if (documents > 1) {
            return { problems: [fileProblem(say("load.syntax", { detail: "expected a single document" }), "", "yaml-syntax", position(source, at >= 0 ? at : 0))] };
          }
          continue;
        }
        if (event.type === 5 || event.anchorStart >= 0) {
          return { problems: [fileProblem(text("load.alias"), text("load.alias_hint"), "alias", position(source, event.anchorStart))] };
        }
        if (event.tagStart >= 0) {
          var tag = source.slice(event.tagStart, event.tagEnd).replace(/^!!/, "tag:yaml.org,2002:");
          return { problems: [fileProblem(say("load.tag", { tag: tag }), text("load.tag_hint"), "tag", position(source, event.tagStart))] };
        }
        if (event.type === 6) {
          stack.pop();
          settle(stack);
          continue;
        }
        var top = stack[stack.length - 1];
        var parts = top ? (top.kind === "seq" ? top.parts.concat([top.index]) : top.parts.concat([top.key])) : [];
        if (top && top.kind === "map" && top.key === null) {
          var key = window.jsyaml.getScalarValue(source, event);
          if (event.type !== 4) {
            return { problems: [fileProblem("字段名必须是简单的文字", "", "complex-key", position(source, at))] };
          }
          if (top.keys[key]) {
            var dup = problem(top.parts.concat([key]), say("load.duplicate_key", { key: key, line: top.keys[key] }), text("load.duplicate_key_hint"), "duplicate-key");
            var where = position(source, at);
            dup.line = where.line;
            dup.column = where.column;
            return { problems: [dup] };
          }
          top.keys[key] = position(source, at).line;
          top.key = key;
          continue;
        }
        if (event.type === 3 || event.type === 2) {
          stack.push({ kind: event.type === 3 ? "map" : "seq", parts: parts, key: null, keys: {}, index: 0 });
          continue;
        }
        if (event.type === 4 && event.style === 1) {
          var raw = source.slice(event.valueStart, event.valueEnd);
          if (/^[-+]?\d+\.\d*(?:[eE][-+]?\d+)?$|^[-+]?\d+[eE][-+]?\d+$/.test(raw)) {
            floats.push({ parts: parts, text: raw });
          }
        }
        settle(stack);
      }
    } catch (error) {
      var mark = error.mark || { line: 0, column: 0 };
      return { problems: [fileProblem(say("load.syntax", { detail: error.reason || error.message }), text("load.syntax_hint"), "yaml-syntax",
        { line: mark.line + 1, column: mark.column + 1 })] };
    }
    var record = window.jsyaml.load(source, { schema: window.jsyaml.CORE_SCHEMA });
    return { record: record, problems: [], floats: floats };
  }

  /* After a value: a mapping waits for its next key, a sequence moves to its next item. */
  function settle(stack) {
    var top = stack[stack.length - 1];
    if (!top) { return; }
    if (top.kind === "map") { top.key = null; } else { top.index += 1; }
  }

  function checkText(source) {
    var read = readYaml(source);
    if (read.problems.length) {
      return read.problems;
    }
    return checkRecord(read.record, read.floats);
  }

  /* ---- the draft as a record ------------------------------------------------------------ */

  var NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

  /* The case the draft holds: typed numbers as numbers, blanks left out, keys in schema order. */
  function toRecord(value, parts, floats) {
    var f = parts.length ? fieldOf(parts) : null;
    if (Array.isArray(value)) {
      var items = [];
      value.forEach(function (item) {
        var made = toRecord(item, parts.concat([items.length]), floats);
        if (made !== undefined) { items.push(made); }
      });
      return items.length || (f && f.required) ? items : undefined;
    }
    if (value && typeof value === "object") {
      var parent = f ? f.path + (f.type === "array" ? "[]" : "") : "";
      var keys = childrenOf(parent).map(function (c) { return c.key; });
      Object.keys(value).forEach(function (k) { if (keys.indexOf(k) < 0) { keys.push(k); } });
      var made = {};
      keys.forEach(function (k) {
        if (k in value) {
          var v = toRecord(value[k], parts.concat([k]), floats);
          if (v !== undefined) { made[k] = v; }
        }
      });
      var empty = !Object.keys(made).length;
      var inList = typeof parts[parts.length - 1] === "number";
      return empty && !inList && !(f && f.required) && parts.length ? undefined : made;
    }
    if (typeof value === "string") {
      var typed = value.trim();
      if (!typed) { return undefined; }
      var type = f ? (f.type === "array" ? f.item_type : f.type) : "";
      if ((type === "number" || type === "integer") && NUMBER.test(typed)) {
        var number = Number(typed);
        if (/[.eE]/.test(typed) && Number.isInteger(number)) { floats.push({ parts: parts, text: typed }); }
        return number;
      }
      return typed;
    }
    return value;
  }

  function currentRecord() {
    var floats = [];
    var record = toRecord(draft, [], floats);
    return { record: record, floats: floats };
  }

  /* ---- building the form ---------------------------------------------------------------- */

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") { node.textContent = attrs[name]; } else { node.setAttribute(name, attrs[name]); }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }

  function help(f) {
    var words = [];
    if (f.description) { words.push(f.description); }
    if (f.examples && f.examples.length) {
      var example = f.examples[0];
      words.push("例：" + (Array.isArray(example) ? example.join("、") : String(example)));
    }
    return words.length ? el("p", { "class": "cb-form__help", text: words.join(" ") }) : null;
  }

  function heading(f, tag, target) {
    var node = el(tag, target ? { "for": target } : {}, [document.createTextNode(f.title || f.key)]);
    node.appendChild(el("span", { "class": "cb-form__need", text: f.required ? "必填" : "可选" }));
    return node;
  }

  var uid = 0;

  function changed(parts) {
    touched[fieldName(parts)] = true;
    schedule();
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 150);
  }

  function refresh() {
    save();
    var current = currentRecord();
    problems = checkRecord(current.record, current.floats);
    show();
  }

  function restructure() {
    save();
    build();
    refresh();
  }

  function wrapper(parts, f) {
    return el("div", { "class": "cb-form__field", "data-field": fieldName(parts), "data-kind": f.type });
  }

  function message() {
    return el("p", { "class": "cb-form__msg", hidden: "" });
  }

  function resolve(kind, typed) {
    var value = typed.trim();
    var first = /^([a-z][a-z0-9]*(?:-[a-z0-9]+)*)\s*(?:[（(].*[)）])?$/.exec(value);
    if (first && byId(kind, first[1])) { return first[1]; }
    var match = vocabulary(kind).filter(function (entry) {
      return entry.name === value || (entry.aliases || []).indexOf(value) >= 0;
    })[0];
    return match ? match.id : value;
  }

  function entryLabel(entry) {
    return entry.id + "（" + entry.name + "）";
  }

  function scalarControl(f, holder, key, parts) {
    var id = "cb-f" + (uid += 1);
    var box = wrapper(parts, f);
    box.appendChild(heading(f, "label", id));
    box.appendChild(help(f));
    var value = holder[key] === undefined || holder[key] === null ? "" : String(holder[key]);
    var control;
    if (f.choices.length) {
      control = el("select", { id: id, name: fieldName(parts) }, [el("option", { value: "", text: "（请选择）" })]);
      f.choices.forEach(function (c) { control.appendChild(el("option", { value: c[0], text: c[1] || c[0] })); });
      control.value = value;
    } else if (f.local === "sources") {
      control = el("select", { id: id, name: fieldName(parts), "data-local": "sources" });
      fillSources(control, value);
    } else if (f.vocabulary) {
      var list = id + "-list";
      control = el("input", { id: id, name: fieldName(parts), list: list, type: "text", "data-vocabulary": f.vocabulary });
      var options = el("datalist", { id: list });
      vocabulary(f.vocabulary).forEach(function (entry) { options.appendChild(el("option", { value: entryLabel(entry) })); });
      box.appendChild(options);
      var known = byId(f.vocabulary, value);
      control.value = known ? entryLabel(known) : value;
    } else if ((f.max_length || 0) > 100 || /Markdown/.test(f.description)) {
      control = el("textarea", { id: id, name: fieldName(parts), rows: "4" });
      control.value = value;
    } else {
      control = el("input", { id: id, name: fieldName(parts), type: "text" });
      if (f.type === "number" || f.type === "integer") {
        control.setAttribute("inputmode", f.type === "integer" ? "numeric" : "decimal");
      }
      control.value = value;
    }
    if (f.required) { control.setAttribute("aria-required", "true"); }
    control.addEventListener(control.tagName === "SELECT" ? "change" : "input", function () {
      holder[key] = f.vocabulary ? resolve(f.vocabulary, control.value) : control.value;
      if (f.path === "indicators[].indicator") { fillUnit(holder, box); }
      if (f.path === "sources[].id") { refreshSources(); }
      changed(parts);
    });
    box.appendChild(control);
    box.appendChild(message());
    if (f.path === "place.region") { box.appendChild(regionFinder(holder)); }
    return box;
  }

  /* The indicator's own unit, as the Excel import fills it in when the cell is blank. */
  function fillUnit(holder, box) {
    var indicator = byId("indicators", holder.indicator);
    if (!indicator || holder.unit) { return; }
    holder.unit = indicator.unit;
    var unit = box.parentNode.querySelector('[data-field$=".unit"] input');
    if (unit) { unit.value = indicator.unit; }
  }

  function sourceIds() {
    return (Array.isArray(draft.sources) ? draft.sources : []).map(function (s) { return s && s.id ? String(s.id).trim() : ""; })
      .filter(Boolean);
  }

  function fillSources(control, value) {
    var ids = sourceIds();
    control.textContent = "";
    control.appendChild(el("option", { value: "", text: "（请选择来源）" }));
    ids.forEach(function (sid) { control.appendChild(el("option", { value: sid, text: sid })); });
    if (value && ids.indexOf(value) < 0) { control.appendChild(el("option", { value: value, text: value })); }
    control.value = value;
  }

  function refreshSources() {
    form.querySelectorAll('select[data-local="sources"]').forEach(function (control) { fillSources(control, control.value); });
  }

  function choiceList(f, holder, key, parts) {
    var box = wrapper(parts, f);
    var group = el("fieldset", { "class": "cb-form__choices" }, [heading(f, "legend")]);
    group.appendChild(help(f));
    var chosen = Array.isArray(holder[key]) ? holder[key] : (holder[key] = []);
    var entries;
    if (f.vocabulary) {
      entries = vocabulary(f.vocabulary);
    } else {
      var section = f.local === "practices" ? "practices" : "indicators";
      var ids = (Array.isArray(draft[section]) ? draft[section] : []).map(function (item) {
        return item ? String(section === "practices" ? item.practice || "" : item.id || "") : "";
      }).filter(Boolean);
      entries = ids.filter(function (x, i) { return ids.indexOf(x) === i; }).map(function (x) {
        var known = section === "practices" ? byId("practices", x) : null;
        return { id: x, name: known ? known.name : x };
      });
      if (!entries.length) {
        group.appendChild(el("p", { "class": "cb-form__help", text: section === "practices" ? "先在“做法”中填写共享做法，这里就可以勾选。" : "先在“指标数据”中填写数据编号，这里就可以勾选。" }));
      }
    }
    if (entries.length > 8) {
      var filter = el("input", { type: "search", "class": "cb-form__filter", placeholder: "输入名称筛选", "aria-label": "筛选" + f.title });
      filter.addEventListener("input", function () {
        var words = filter.value.trim();
        group.querySelectorAll(".cb-form__choice").forEach(function (item) {
          item.hidden = Boolean(words) && item.textContent.indexOf(words) < 0;
        });
      });
      group.appendChild(filter);
    }
    var list = el("div", { "class": "cb-form__options" });
    entries.forEach(function (entry) {
      var input = el("input", { type: "checkbox", value: entry.id });
      input.checked = chosen.indexOf(entry.id) >= 0;
      input.addEventListener("change", function () {
        var at = chosen.indexOf(entry.id);
        if (input.checked && at < 0) { chosen.push(entry.id); }
        if (!input.checked && at >= 0) { chosen.splice(at, 1); }
        changed(parts);
      });
      list.appendChild(el("label", { "class": "cb-form__choice" }, [input, document.createTextNode(" " + entry.name)]));
    });
    group.appendChild(list);
    box.appendChild(group);
    box.appendChild(message());
    return box;
  }

  function textList(f, holder, key, parts) {
    var box = wrapper(parts, f);
    var group = el("fieldset", { "class": "cb-form__texts" }, [heading(f, "legend")]);
    group.appendChild(help(f));
    var items = Array.isArray(holder[key]) ? holder[key] : (holder[key] = f.required ? [""] : []);
    items.forEach(function (item, i) {
      var area = el("textarea", { rows: "2", "aria-label": f.title + " 第 " + (i + 1) + " 条", name: fieldName(parts.concat([i])) });
      area.value = item === null || item === undefined ? "" : String(item);
      area.addEventListener("input", function () { items[i] = area.value; changed(parts.concat([i])); });
      var remove = el("button", { type: "button", "class": "cb-form__remove", text: "删除这一条" });
      remove.addEventListener("click", function () { items.splice(i, 1); restructure(); });
      var row = el("div", { "class": "cb-form__text", "data-field": fieldName(parts.concat([i])) }, [area, remove, message()]);
      group.appendChild(row);
    });
    var add = el("button", { type: "button", "class": "cb-form__add", text: "添加一条" + f.title });
    add.addEventListener("click", function () { items.push(""); restructure(); });
    group.appendChild(add);
    box.appendChild(group);
    box.appendChild(message());
    return box;
  }

  function itemList(f, holder, key, parts) {
    var box = wrapper(parts, f);
    var group = el("fieldset", { "class": "cb-form__items" }, [heading(f, "legend")]);
    group.appendChild(help(f));
    var items = Array.isArray(holder[key]) ? holder[key] : (holder[key] = f.required && f.min_items ? [newItem(f, 0)] : []);
    items.forEach(function (item, i) {
      var sub = parts.concat([i]);
      var card = el("fieldset", { "class": "cb-form__item", "data-field": fieldName(sub) },
        [el("legend", { text: f.title + " 第 " + (i + 1) + " 条" })]);
      objectFields(card, f.path + "[]", item, sub);
      var remove = el("button", { type: "button", "class": "cb-form__remove", text: "删除这一条" });
      remove.addEventListener("click", function () { items.splice(i, 1); restructure(); });
      card.appendChild(remove);
      card.appendChild(message());
      group.appendChild(card);
    });
    var add = el("button", { type: "button", "class": "cb-form__add", "data-add": f.path, text: "添加一条" + f.title });
    add.addEventListener("click", function () { items.push(newItem(f, items.length)); restructure(); });
    group.appendChild(add);
    box.appendChild(group);
    box.appendChild(message());
    return box;
  }

  /* A new item: numbered ids as the Excel import gives them, the only source cited by default. */
  function newItem(f, index) {
    var item = {};
    if (f.path === "sources") { item.id = "s" + (index + 1); }
    if (f.path === "indicators") { item.id = "v" + (index + 1); }
    var ids = sourceIds();
    if (f.path !== "sources" && ids.length === 1 && childrenOf(f.path + "[]").some(function (c) { return c.key === "source"; })) {
      item.source = ids[0];
    }
    return item;
  }

  function objectFields(container, parent, holder, parts) {
    childrenOf(parent).forEach(function (f) {
      var sub = parts.concat([f.key]);
      if (f.type === "object") {
        if (!holder[f.key] || typeof holder[f.key] !== "object") { holder[f.key] = {}; }
        var group = el("fieldset", { "class": "cb-form__group", "data-field": fieldName(sub) }, [heading(f, "legend")]);
        group.appendChild(help(f));
        objectFields(group, f.path, holder[f.key], sub);
        group.appendChild(message());
        container.appendChild(group);
      } else if (f.type === "array" && !f.item_type) {
        container.appendChild(itemList(f, holder, f.key, sub));
      } else if (f.type === "array" && (f.vocabulary || f.local)) {
        container.appendChild(choiceList(f, holder, f.key, sub));
      } else if (f.type === "array") {
        container.appendChild(textList(f, holder, f.key, sub));
      } else {
        container.appendChild(scalarControl(f, holder, f.key, sub));
      }
    });
  }

  function build() {
    form.textContent = "";
    objectFields(form, "", draft, []);
  }

  /* ---- a place not yet in the library (GB/T 2260) --------------------------------------- */

  function loadDivisions() {
    if (divisions) { return Promise.resolve(divisions); }
    return window.casebookData.load(new URL(root.dataset.divisions, window.location.href).href).then(function (rows) {
      divisions = {};
      rows.forEach(function (r) { divisions[r[0]] = { code: r[0], name: r[1], short: r[2], parent: r[3], pinyin: r[4], level: r[5] }; });
      return divisions;
    });
  }

  function chain(code) {
    var found = [];
    while (code && divisions[code]) {
      found.unshift(divisions[code]);
      code = divisions[code].parent;
    }
    return found;
  }

  /* Region records for a division and all above it (casebook.records.divisions.new_regions). */
  function regionsFor(code) {
    var known = vocabulary("regions");
    var byCode = {};
    var taken = {};
    known.forEach(function (r) { byCode[r.code] = r.id; taken[r.id] = true; });
    var added = [];
    var parent = null;
    chain(code).forEach(function (d) {
      if (byCode[d.code]) { parent = byCode[d.code]; return; }
      var rid = d.pinyin;
      if (taken[rid] && parent) { rid = rid + "-" + parent; }
      var base = rid;
      for (var n = 2; taken[rid]; n++) { rid = base + "-" + n; }
      var record = { id: rid, name: d.name };
      if (d.short !== d.name) { record.aliases = [d.short]; }
      record.code = d.code;
      record.level = d.level;
      if (parent) { record.parent = parent; }
      added.push(record);
      taken[rid] = true;
      byCode[d.code] = rid;
      parent = rid;
    });
    return added;
  }

  function placeLabel(d) {
    return chain(d.code).map(function (x) { return x.name; }).join(" › ") + "（" + d.code + "）";
  }

  function regionFinder(holder) {
    var box = el("details", { "class": "cb-form__newplace", id: "case-form-newplace" });
    box.appendChild(el("summary", { text: "地区不在列表中？按 GB/T 2260 添加" }));
    box.appendChild(el("p", { "class": "cb-form__help", text: "输入县（区、市）、市（州）或省的名称，或六位行政区划代码，从国家标准代码表中选择；本页会填好它和缺少的上级地区的编号、名称、代码和上级。" }));
    var search = el("input", { type: "search", "class": "cb-form__filter", id: "case-form-place", placeholder: "如：安吉县、330523", "aria-label": "按名称或代码查找地区" });
    var results = el("ul", { "class": "cb-form__places", id: "case-form-places" });
    search.addEventListener("input", function () {
      var words = search.value.trim();
      loadDivisions().then(function () {
        results.textContent = "";
        if (words.length < 2) { return; }
        Object.keys(divisions).map(function (code) { return divisions[code]; }).filter(function (d) {
          return d.code === words || d.name.indexOf(words) >= 0;
        }).slice(0, 12).forEach(function (d) {
          var pick = el("button", { type: "button", "class": "cb-form__place", "data-code": d.code, text: placeLabel(d) });
          pick.addEventListener("click", function () {
            var existing = vocabulary("regions").filter(function (r) { return r.code === d.code; })[0];
            if (!existing) {
              addedRegions = addedRegions.concat(regionsFor(d.code));
            }
            var record = existing || addedRegions[addedRegions.length - 1];
            holder.region = record.id;
            if (!draft.place.level && (d.level === "county" || d.level === "prefecture" || d.level === "province")) {
              draft.place.level = d.level;
            }
            box.open = false;
            changed(["place", "region"]);
            restructure();
          });
          results.appendChild(el("li", {}, [pick]));
        });
        if (!results.children.length) {
          results.appendChild(el("li", { text: "GB/T 2260 代码表中没有找到“" + words + "”：请写全称（如“安吉县”）或六位代码。" }));
        }
      }, function () {
        results.textContent = "";
        results.appendChild(el("li", { text: "行政区划代码表没有载入，请刷新后再试。" }));
      });
    });
    box.appendChild(search);
    box.appendChild(results);
    return box;
  }

  /* Drop added regions that the case no longer uses. */
  function usedRegions() {
    var wanted = {};
    var id = draft.place && draft.place.region;
    while (id) {
      var record = byId("regions", id);
      if (!record) { break; }
      wanted[id] = true;
      id = record.parent;
    }
    return addedRegions.filter(function (r) { return wanted[r.id]; });
  }

  /* ---- showing the problems ------------------------------------------------------------- */

  function show() {
    form.querySelectorAll(".cb-form__msg").forEach(function (node) { node.hidden = true; node.textContent = ""; });
    form.querySelectorAll(".cb-form__field--bad").forEach(function (node) { node.classList.remove("cb-form__field--bad"); });
    problems.forEach(function (p) {
      var parts = p.parts.slice();
      var holder = null;
      while (parts.length && !holder) {
        holder = form.querySelector('[data-field="' + fieldName(parts) + '"]');
        if (!holder) { parts.pop(); }
      }
      holder = holder || form;
      var name = fieldName(parts);
      if (!showAll && !touched[p.field] && !touched[name]) { return; }
      var msg = holder.querySelector(":scope > .cb-form__msg");
      if (!msg) { return; }
      msg.hidden = false;
      msg.appendChild(el("span", { "class": "cb-form__say", "data-code": p.code, "data-severity": p.severity, text: (p.severity === "warning" ? "警告：" : "") + p.message }));
      if (p.hint) { msg.appendChild(el("span", { "class": "cb-form__hint", text: "提示：" + p.hint })); }
      holder.classList.add("cb-form__field--bad");
    });
    var list = document.getElementById("case-form-problems");
    list.textContent = "";
    var errors = problems.filter(function (p) { return p.severity === "error"; });
    problems.forEach(function (p) {
      /* The message names its field, as the validator's lines do; a click goes to the field. */
      var go = el("a", { href: "#case-form", "class": "cb-form__goto", text: (p.severity === "warning" ? "警告：" : "") + p.message });
      go.addEventListener("click", function (event) {
        event.preventDefault();
        var parts = p.parts.slice();
        var target = null;
        while (parts.length && !target) {
          target = form.querySelector('[data-field="' + fieldName(parts) + '"]');
          parts.pop();
        }
        var control = target && target.querySelector("input, select, textarea");
        if (control) { control.focus(); control.scrollIntoView({ block: "center" }); }
      });
      list.appendChild(el("li", { "data-field": p.field, "data-code": p.code }, [go,
        p.hint ? el("span", { "class": "cb-form__hint", text: "提示：" + p.hint }) : null]));
    });
    var summary = document.getElementById("case-form-summary");
    summary.textContent = errors.length ? "还有 " + errors.length + " 个问题（字段名和消息与检查器 casebook validate 相同）。" :
      "本页的检查全部通过。提交后检查器还会做下面“提交后才检查的几项”。";
    summary.dataset.errors = String(errors.length);
    var extra = usedRegions();
    var regions = document.getElementById("case-form-regions");
    regions.hidden = !extra.length;
    document.getElementById("case-form-regions-yaml").textContent = extra.length ? regionsYaml(extra) : "";
    var pr = document.getElementById("case-form-pr");
    if (pr) { pr.href = newFileLink(); }
  }

  /* ---- outputs -------------------------------------------------------------------------- */

  function recordYaml() {
    var record = currentRecord().record;
    return data.schema_line + "\n# 由网站上的案例填写表单生成；以 # 开头的是说明，可以删去。\n" +
      window.jsyaml.dump(record, { lineWidth: -1, noRefs: true });
  }

  function regionsYaml(regions) {
    return "# 加到 " + data.regions_file + " 末尾的新地区（按 GB/T 2260 生成）\n" + window.jsyaml.dump(regions, { lineWidth: -1, noRefs: true });
  }

  function caseId() {
    var id = draft.id && String(draft.id).trim();
    return id && /^[a-z][a-z0-9-]*$/.test(id) ? id : "new-case";
  }

  function download(blob, name) {
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = name;
    document.body.appendChild(link);
    link.click();
    window.setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
  }

  function newFileLink() {
    var extra = usedRegions();
    var note = extra.length ? "\n# 新地区，请加到 " + data.regions_file + "：\n" + regionsYaml(extra).split("\n").map(function (l) { return l ? "# " + l : l; }).join("\n") : "";
    return data.new_file + "?filename=" + encodeURIComponent(caseId() + ".yaml") + "&value=" + encodeURIComponent(recordYaml() + note);
  }

  function workbookWriter() {
    if (window.writeXlsxFile) { return Promise.resolve(window.writeXlsxFile); }
    return new Promise(function (resolve, reject) {
      var tag = document.createElement("script");
      tag.src = new URL("vendor/write-excel-file.min.js", script).href;
      tag.onload = function () { resolve(window.writeXlsxFile); };
      tag.onerror = reject;
      document.head.appendChild(tag);
    });
  }

  function valueAt(record, path) {
    return path.split(".").reduce(function (node, key) { return node && typeof node === "object" ? node[key] : undefined; }, record);
  }

  /* A cell as the template has it: choices by their labels, lists of ids joined by 、. */
  function cell(value, f) {
    if (value === undefined || value === null || value === "") { return { value: null }; }
    if (Array.isArray(value)) { return { value: value.join("、"), type: String }; }
    if (typeof value === "number") { return { value: value, type: Number }; }
    var choice = (f.choices || []).filter(function (c) { return c[0] === value; })[0];
    return { value: choice ? choice[1] : String(value), type: String, wrap: true };
  }

  /* The Excel template's sheets (casebook.contribute.workbook.layout), filled in. */
  function workbookSheets(record) {
    var layout = data.workbook;
    var bold = function (t) { return { value: t, fontWeight: "bold" }; };
    var sheets = [{ data: [[bold("乡村振兴党建案例库 · 案例填写模板（由网站表单填写）")], [{ value: "导入：make import FILE=本文件.xlsx，或在“提交新案例”问题中上传。" }]], sheet: "填写说明", columns: [{ width: 90 }] }];
    layout.sheets.forEach(function (sheet) {
      var rows;
      var fields = sheet.fields.map(function (x) { return fieldsByPath[x.path]; });
      if (sheet.kind === "info") {
        rows = [[bold("栏目"), bold("填写内容"), bold("说明")]].concat(sheet.fields.map(function (x, i) {
          return [{ value: x.title }, cell(valueAt(record, x.path), fields[i]), { value: x.note, wrap: true }];
        }));
        sheets.push({ data: rows, sheet: sheet.name, columns: [{ width: 16 }, { width: 60 }, { width: 70 }] });
        return;
      }
      rows = [sheet.fields.map(function (x) { return bold(x.title); }), sheet.fields.map(function (x) { return { value: x.note, wrap: true }; })];
      if (sheet.kind === "table") {
        (valueAt(record, sheet.path) || []).forEach(function (item) {
          rows.push(sheet.fields.map(function (x, i) { return cell(item[x.key], fields[i]); }));
        });
      } else {
        var holder = valueAt(record, sheet.path) || {};
        var longest = Math.max.apply(null, sheet.fields.map(function (x) { return (holder[x.key] || []).length; }).concat([0]));
        for (var n = 0; n < longest; n++) {
          rows.push(sheet.fields.map(function (x) { var list = holder[x.key] || []; return n < list.length ? { value: String(list[n]), type: String, wrap: true } : { value: null }; }));
        }
      }
      sheets.push({ data: rows, sheet: sheet.name, columns: sheet.fields.map(function () { return { width: 24 }; }) });
    });
    return sheets;
  }

  function downloadWorkbook() {
    var record = currentRecord().record || {};
    return workbookWriter().then(function (write) { return write(workbookSheets(record)).toBlob(); })
      .then(function (blob) { download(blob, caseId() + ".xlsx"); }, function () {
        status.textContent = "Excel 文件没有生成：本页的表格程序没有载入，请刷新后再试，或下载 YAML 文件。";
      });
  }

  /* ---- the draft in the browser --------------------------------------------------------- */

  function save() {
    try {
      window.localStorage.setItem(STORE, JSON.stringify({ draft: draft, regions: addedRegions }));
    } catch (error) {
      status.textContent = "浏览器不允许本页保存草稿（可能是隐私模式）：请及时下载，以免丢失。";
    }
  }

  function fresh() {
    var today = new Date();
    var day = today.getFullYear() + "-" + String(today.getMonth() + 1).padStart(2, "0") + "-" + String(today.getDate()).padStart(2, "0");
    return { status: "draft", checked: day };
  }

  function restore() {
    try {
      var kept = JSON.parse(window.localStorage.getItem(STORE) || "null");
      if (kept && kept.draft && typeof kept.draft === "object") {
        draft = kept.draft;
        addedRegions = Array.isArray(kept.regions) ? kept.regions : [];
        return true;
      }
    } catch (error) { /* a broken draft is left behind: the form starts afresh */ }
    draft = fresh();
    return false;
  }

  /* A record read from a file, as the draft holds it: what the inputs show. */
  function asDraft(value) {
    if (Array.isArray(value)) { return value.map(asDraft); }
    if (value && typeof value === "object") {
      var made = {};
      Object.keys(value).forEach(function (k) { made[k] = asDraft(value[k]); });
      return made;
    }
    return typeof value === "number" ? String(value) : value;
  }

  function openFile(file) {
    file.text().then(function (source) {
      var read = readYaml(source);
      if (read.problems.length) {
        problems = read.problems;
        showAll = true;
        show();
        status.textContent = file.name + "：文件无法读取（第 " + read.problems[0].line + " 行）：" + read.problems[0].message;
        return;
      }
      if (!read.record || typeof read.record !== "object" || Array.isArray(read.record)) {
        status.textContent = file.name + "：不是一个案例记录。";
        return;
      }
      draft = asDraft(read.record);
      showAll = true;
      restructure();
      status.textContent = "已打开 " + file.name + "，可以继续填写。";
    });
  }

  /* ---- start ---------------------------------------------------------------------------- */

  function start(loaded) {
    data = loaded;
    data.fields.forEach(function (f) { fieldsByPath[f.path] = f; });
    var Ajv = window.ajv7 && (window.ajv7.default || window.ajv7);
    validator = new Ajv({ allErrors: true, verbose: true, strict: false, validateFormats: false }).compile(data.schema);
    var had = restore();
    build();
    root.hidden = false;
    status.textContent = had ? "已恢复上次在这台设备上填写的草稿。" : "请从标题开始逐项填写；带“必填”的都要填。";
    status.dataset.draft = had ? "restored" : "new";
    refresh();
    document.getElementById("case-form-yaml").addEventListener("click", function () {
      showAll = true;
      refresh();
      download(new Blob([recordYaml()], { type: "text/yaml;charset=utf-8" }), caseId() + ".yaml");
    });
    document.getElementById("case-form-xlsx").addEventListener("click", function () {
      showAll = true;
      refresh();
      downloadWorkbook();
    });
    document.getElementById("case-form-regions-download").addEventListener("click", function () {
      download(new Blob([regionsYaml(usedRegions())], { type: "text/yaml;charset=utf-8" }), "regions-" + caseId() + ".yaml");
    });
    var picker = document.getElementById("case-form-file");
    document.getElementById("case-form-open").addEventListener("click", function () { picker.click(); });
    picker.addEventListener("change", function () { if (picker.files[0]) { openFile(picker.files[0]); } picker.value = ""; });
    document.getElementById("case-form-clear").addEventListener("click", function () {
      if (!window.confirm("清空草稿？已填写的内容会全部删除（已下载的文件不受影响）。")) { return; }
      draft = fresh();
      addedRegions = [];
      touched = {};
      showAll = false;
      restructure();
    });
  }

  window.casebookForm = {
    checkText: function (source) { return checkText(source); },
    record: function () { return currentRecord().record; },
    problems: function () { return problems; }
  };

  window.casebookData.load(new URL(root.dataset.form, window.location.href).href).then(start, function () {
    root.hidden = false;
    status.textContent = "表单没有载入，请刷新后再试；也可以下载 Excel 模板填写。";
  });
}());
