// The list upload form: uploads the chosen file (`upload.js`), then opens the list's
// page to map its columns.
(function () {
  'use strict';
  var form = document.getElementById('list-form');
  if (!form) { return; }
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var file = document.getElementById('list-file').files[0];
    if (!file) { return; }
    window.chainatlasUpload(form, '/api/v1/resolutions?name=' + encodeURIComponent(file.name), file,
      document.getElementById('list-status'), document.getElementById('list-error'),
      function (body) { return '/resolutions/' + body.id; });
  });
})();
