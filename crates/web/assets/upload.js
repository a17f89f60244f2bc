// Uploads from a form: the chosen file goes as the request body (no size-bound form
// encoding) with the page's CSRF token in a header; on success the browser follows the
// page `next(body)` names, otherwise the error is shown in the form's language.
window.chainatlasUpload = function (form, url, file, status, error, next) {
  'use strict';
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
        window.location.href = next(body);
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
};
