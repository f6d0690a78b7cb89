/* Loads the site's JSON data files, served from a host or opened from a folder alike.
 *
 *   casebookData.load("cases.json").then(function (data) { … });
 *
 * A relative path is resolved against the page, like fetch(). Over http(s) the file is fetched.
 * A page opened from a folder (file://, the offline copy on a USB stick) may not fetch, but it
 * may run scripts: there the offline build has replaced every X.json by a twin X.json.js
 * that hands the same data to casebookData.define("<path from the site root>", data), and the
 * loader adds it as a <script>. The copy served over http (an office's own server) has the twins
 * only too: a JSON file that is not there (404) is loaded from its twin. Loaded in the page head, before any page script; old phone
 * browsers too: no modules, no arrow functions.
 *
 *   link.href = casebookData.page(new URL("cases/x/", root).href);
 *
 * A page URL from data (`…/cases/x/`) as this copy can open it: from a folder, a folder URL
 * would show a file list, so it gets its index.html; over http(s) it is returned as it is.
 */
(function () {
  "use strict";
  var root = new URL("..", document.currentScript.src).href; // served at javascripts/data.js
  var local = window.location.protocol === "file:";
  var loading = {}; // path from the site root → Promise of its data
  var waiting = {}; // path → the resolve function of a twin script not yet run

  function withoutQuery(url) {
    return new URL(url, document.baseURI).href.split("#")[0].split("?")[0];
  }

  function path(file) {
    return file.indexOf(root) === 0 ? file.slice(root.length) : file;
  }

  function fromScript(key, url) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      waiting[key] = resolve;
      script.src = url + ".js";
      script.charset = "utf-8";
      script.onload = function () {
        if (waiting[key]) { // the script ran but did not define this file
          delete waiting[key];
          reject(new Error("no data in " + script.src));
        }
      };
      script.onerror = function () {
        delete waiting[key];
        reject(new Error("cannot load " + script.src));
      };
      document.head.appendChild(script);
    });
  }

  function load(url) {
    var file = withoutQuery(url);
    var key = path(file);
    if (!loading[key]) {
      var absolute = new URL(url, document.baseURI).href;
      loading[key] = local ? fromScript(key, file) : fetch(absolute).then(function (response) {
        // the offline copy on a plain server: it has the twin only
        if (response.status === 404) return fromScript(key, file);
        if (!response.ok) throw new Error(response.status + " " + absolute);
        return response.json();
      });
      loading[key].catch(function () { delete loading[key]; }); // a later call tries again
    }
    return loading[key];
  }

  function define(key, data) {
    var resolve = waiting[key];
    delete waiting[key];
    if (resolve) resolve(data);
  }

  function page(url) {
    if (!local) return url;
    var parts = url.split("#");
    var path = parts[0].split("?");
    if (path[0].slice(-1) !== "/") return url;
    path[0] += "index.html";
    parts[0] = path.join("?");
    return parts.join("#");
  }

  window.casebookData = { load: load, define: define, page: page };
}());
