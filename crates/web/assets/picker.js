// Type-ahead pickers. An input with data-picker="region" offers, as the user types, the
// divisions /api/v1/regions?q= finds by Chinese or English name, pinyin or initials
// (zz → 株洲市) or code, as "name code"; data-picker="enterprise" or "node" offers what
// /api/v1/search?q= finds of that kind, as "name #id". The server reads the code or id at
// the end (and a region's name alone), so every form works without this script too. With
// data-multiple the field holds several, separated by ";": what is typed after the last
// ";" is looked up, and a choice replaces only that part.
(function () {
  'use strict';
  var english = document.documentElement.lang === 'en';
  var name = function (x) { return english && x.name_en ? x.name_en : x.name_zh; };
  var sources = {
    region: function (q) {
      return fetch('/api/v1/regions?limit=12&q=' + encodeURIComponent(q), { credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (regions) { return regions.map(function (r) { return name(r) + ' ' + r.code; }); });
    },
    search: function (kind) {
      return function (q) {
        return fetch('/api/v1/search?q=' + encodeURIComponent(q), { credentials: 'same-origin' })
          .then(function (r) { return r.ok ? r.json() : { hits: [] }; })
          .then(function (found) {
            return found.hits
              .filter(function (h) { return h.kind === kind; })
              .map(function (h) { return name(h) + ' #' + h.id; });
          });
      };
    },
  };
  var done = /(\s\d{6}|#\d+)$/;
  document.querySelectorAll('input[data-picker]').forEach(function (input) {
    var list = document.getElementById(input.getAttribute('list'));
    var kind = input.getAttribute('data-picker');
    var source = kind === 'region' ? sources.region : sources.search(kind);
    if (!list) { return; }
    var multiple = input.hasAttribute('data-multiple');
    var timer = null;
    var asked = '';
    input.addEventListener('input', function () {
      var text = input.value;
      var cut = multiple ? Math.max(text.lastIndexOf(';'), text.lastIndexOf('；')) + 1 : 0;
      var before = text.slice(0, cut);
      var q = text.slice(cut).trim();
      if (timer) { clearTimeout(timer); }
      if (!q || done.test(q) || q === asked) { return; }
      timer = setTimeout(function () {
        asked = q;
        source(q).then(function (values) {
          list.textContent = '';
          values.forEach(function (v) {
            var option = document.createElement('option');
            option.value = (before ? before.replace(/\s*$/, ' ') : '') + v;
            list.appendChild(option);
          });
          input.setAttribute('data-suggestions', String(values.length));
        });
      }, 150);
    });
  });
}());
