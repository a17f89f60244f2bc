// Type-ahead region pickers: an input with data-picker="region" offers, as the user types,
// the divisions /api/v1/regions?q= finds by Chinese or English name, pinyin or initials
// (zz → 株洲市) or code, as "name code" entries of its datalist. The server reads the code
// at the end (or a name that names one division), so the form works without this script.
(function () {
  'use strict';
  var english = document.documentElement.lang === 'en';
  document.querySelectorAll('input[data-picker="region"]').forEach(function (input) {
    var list = document.getElementById(input.getAttribute('list'));
    if (!list) { return; }
    var timer = null;
    var asked = '';
    input.addEventListener('input', function () {
      var q = input.value.trim();
      if (timer) { clearTimeout(timer); }
      if (!q || /\s\d{6}$/.test(q) || q === asked) { return; }
      timer = setTimeout(function () {
        asked = q;
        fetch('/api/v1/regions?limit=12&q=' + encodeURIComponent(q), { credentials: 'same-origin' })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (regions) {
            list.textContent = '';
            regions.forEach(function (r) {
              var option = document.createElement('option');
              option.value = (english && r.name_en ? r.name_en : r.name_zh) + ' ' + r.code;
              list.appendChild(option);
            });
            input.setAttribute('data-suggestions', String(regions.length));
          });
      }, 150);
    });
  });
}());
