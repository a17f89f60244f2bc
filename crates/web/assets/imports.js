// The import form: sends the chosen file as the request body (no size-bound form
// encoding), with the page's CSRF token in a header, then follows the import's page,
// which shows its progress and its report.
(function () {
  'use strict';
  var form = document.getElementById('import-form');
  if (!form) { return; }
  var status = document.getElementById('import-status');
  var error = document.getElementById('import-error');
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var file = document.getElementById('import-file').files[0];
    if (!file) { return; }
    var mode = event.submitter && event.submitter.value === 'commit' ? 'commit' : 'preview';
    var replace = form.querySelector('input[name=replace]:checked').value;
    var url = '/api/v1/imports?wait=false&mode=' + mode + '&replace=' + replace +
      '&name=' + encodeURIComponent(file.name);
    status.hidden = false;
    error.hidden = true;
    fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'X-CSRF-Token': form.dataset.csrf, 'Content-Type': 'application/octet-stream' },
      body: file
    }).then(function (response) {
      return response.json().then(function (body) {
        if (response.ok) {
          window.location.href = '/imports/' + body.id;
        } else {
          status.hidden = true;
          error.textContent = body.error ? body.error.message : String(response.status);
          error.hidden = false;
        }
      });
    }).catch(function (e) {
      status.hidden = true;
      error.textContent = String(e);
      error.hidden = false;
    });
  });
})();
