// The import form: uploads the chosen file (`upload.js`), then follows the import's
// page, which shows its progress and its report.
(function () {
  'use strict';
  var form = document.getElementById('import-form');
  if (!form) { return; }
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var file = document.getElementById('import-file').files[0];
    if (!file) { return; }
    var mode = event.submitter && event.submitter.value === 'commit' ? 'commit' : 'preview';
    var replace = form.querySelector('input[name=replace]:checked').value;
    var url = '/api/v1/imports?wait=false&mode=' + mode + '&replace=' + replace +
      '&name=' + encodeURIComponent(file.name);
    window.chainatlasUpload(form, url, file, document.getElementById('import-status'),
      document.getElementById('import-error'), function (body) { return '/imports/' + body.id; });
  });
})();
