// Press the button of a form marked data-auto-submit once the page is there (sign-in links).
document.querySelectorAll("form[data-auto-submit]").forEach(function (form) {
  form.submit();
});
